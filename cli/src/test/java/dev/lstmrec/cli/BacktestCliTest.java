package dev.lstmrec.cli;

import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code lstmrec backtest} from the command line on a drifting log from {@code generate}: per-chunk metrics and seconds
 * for each mode, the report and the chart; a rerun with the same work directory continues; a session log replays with
 * sessions as users; a log without times is refused.
 */
class BacktestCliTest {
    @TempDir
    Path dir;

    private static final String[] SMALL = {"--backend", "scalar", "--threads", "1", "--dim", "8", "--hidden", "8", "--max-len", "10",
            "--batch", "32", "--epochs", "2", "--patience", "0"};

    private List<String> command(Path log, String... more) {
        List<String> c = new ArrayList<>(List.of("backtest", "--data", log.toString(), "--chunks", "3", "--modes", "incremental,retrain,frozen"));
        c.addAll(List.of(more));
        c.addAll(List.of(SMALL));
        return c;
    }

    @Test
    void replaysAGeneratedDriftingLogAndWritesReportAndChart() throws Exception {
        Path log = dir.resolve("drift.tsv");
        CliTest.Result g = CliTest.run("generate", "--users", "150", "--items", "30", "--events", "1500", "--new-items-per-day", "4",
                "--days", "10", "--format", "ml-100k", "--out", log.toString(), "--seed", "3");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("catalogue: 30 items at the start, 70 after 10 days"), g.out());
        Path report = dir.resolve("bt.json"), plot = dir.resolve("bt.png");
        CliTest.Result r = CliTest.run(command(log, "--report", report.toString(), "--plot", plot.toString()).toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        for (int c = 1; c <= 3; c++) assertTrue(r.out().contains("chunk " + c + "/3: "), r.out());
        for (String mode : List.of("incremental", "retrain", "frozen", "popularity")) {
            assertEquals(4, r.out().lines().filter(l -> l.trim().startsWith(mode + " ")).count(), mode + " per chunk and in the means:\n" + r.out());
        }
        assertTrue(r.out().contains("means over 3 chunks"), r.out());
        Map<String, Object> json = Json.parseObject(Files.readString(report));
        List<?> chunks = (List<?>) json.get("per_chunk");
        assertEquals(3, chunks.size());
        @SuppressWarnings("unchecked") Map<String, Object> modes = (Map<String, Object>) ((Map<String, Object>) chunks.get(0)).get("modes");
        for (String mode : List.of("incremental", "retrain", "frozen")) {
            @SuppressWarnings("unchecked") Map<String, Object> m = (Map<String, Object>) modes.get(mode);
            assertTrue(m.containsKey("train_seconds") && ((Map<?, ?>) m.get("all")).containsKey("HR@20")
                    && ((Map<?, ?>) m.get("new_items")).containsKey("NDCG@10"), m.toString());
        }
        @SuppressWarnings("unchecked") Map<String, Object> means = (Map<String, Object>) json.get("means");
        assertTrue(means.keySet().containsAll(List.of("incremental", "retrain", "frozen", "popularity")), means.toString());
        byte[] png = Files.readAllBytes(plot);
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');

        // with a work directory: a second run of the same command continues from the stored chunks
        Path work = dir.resolve("work");
        CliTest.Result first = CliTest.run(command(log, "--work-dir", work.toString()).toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        CliTest.Result again = CliTest.run(command(log, "--work-dir", work.toString()).toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("resuming the backtest"), again.err());
        assertEquals(first.out().lines().filter(l -> l.contains("HR@10")).map(l -> l.replaceAll("train +[0-9.]+ s.*", "")).toList(),
                again.out().lines().filter(l -> l.contains("HR@10")).map(l -> l.replaceAll("train +[0-9.]+ s.*", "")).toList());
    }

    @Test
    void aSessionLogReplaysWithSessionsAsUsers() throws Exception {
        Path log = dir.resolve("sessions.tsv");
        assertEquals(0, CliTest.run("generate", "--users", "300", "--items", "40", "--events", "2400", "--new-items-per-day", "3",
                "--days", "10", "--out", log.toString()).code());
        List<String> c = new ArrayList<>(List.of("backtest", "--data", log.toString(), "--format", "gru4rec", "--chunks", "2",
                "--modes", "incremental,frozen"));
        c.addAll(List.of(SMALL));
        CliTest.Result r = CliTest.run(c.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("chunk 2/2: ") && r.out().contains("incremental ") && !r.out().contains("retrain "), r.out());
    }

    @Test
    void aLogWithoutTimesIsRefusedAndHelpHasTrainsSettings() throws Exception {
        Path log = dir.resolve("plain.txt");
        Files.writeString(log, "1 5\n1 6\n1 7\n2 5\n2 6\n2 8\n");
        CliTest.Result r = CliTest.run("backtest", "--data", log.toString(), "--format", "sasrec", "--backend", "scalar");
        assertEquals(1, r.code(), r.out());
        assertTrue(r.err().contains("no time stamps"), r.err());
        CliTest.Result help = CliTest.run("backtest", "--help");
        assertEquals(0, help.code());
        for (String o : List.of("--data", "--format", "--dim", "--epochs", "--loss", "--exclude-seen", "--initial", "--chunks", "--modes",
                "--work-dir", "--report", "--plot")) {
            assertTrue(help.out().contains(o), o + " in\n" + help.out());
        }
        assertTrue(!help.out().contains("--test-data") && !help.out().contains("--eval-negatives"), help.out());
        assertEquals(2, CliTest.run("backtest", "--data", log.toString(), "--modes", "incremental,sideways").code());
    }
}
