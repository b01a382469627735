package dev.lstmrec.cli;

// `lstmrec tune` end to end on a small generated log (scalar backend, bit-reproducible): the leaderboard and the
// winning `train` command are printed, that command run again gives the same test metrics, a rerun of the same
// tune command continues from its state instead of starting over, and bad arguments are usage errors.

import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TuneCommandTest {
    @TempDir
    Path dir;

    @Test
    void winningCommandReproducesTheTestMetricsAndARerunContinues() throws Exception {
        Path data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withSize(120, 60, 4)), data);
        Path space = dir.resolve("space.json");
        Files.writeString(space, """
                {"lr": {"type": "loguniform", "low": 0.005, "high": 0.05},
                 "dim": {"type": "choice", "values": [4, 8]}, "hidden": 8, "max-len": 20, "batch": 32,
                 "lr-schedule": {"type": "choice", "values": ["constant", "cosine"]}}""");
        String[] tune = {"tune", "--data", data.toString(), "--space", space.toString(), "--trials", "4", "--min-epochs", "1",
                "--max-epochs", "3", "--eta", "2", "--backend", "scalar", "--model", dir.resolve("best.lstmrec").toString(),
                "--report", dir.resolve("tune.json").toString()};
        CliTest.Result r = CliTest.run(tune);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("leaderboard (4 trials"), r.out());
        assertTrue(r.err().contains("trial 1 new: epochs 0 -> 1"), r.err());
        assertTrue(r.err().contains("promoted"), "ASHA promoted a trial: " + r.err());
        String command = line(r.out(), "  lstmrec train ").trim();
        String modelRow = line(r.out(), "model ");
        assertTrue(command.contains("--seed 42") && command.contains("--epochs 3") && command.contains("--backend scalar"), command);

        List<String> args = new ArrayList<>(Arrays.asList(command.substring("lstmrec ".length()).split(" ")));
        args.addAll(List.of("--model", dir.resolve("again.lstmrec").toString()));
        CliTest.Result again = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertEquals(modelRow, line(again.out(), "model "), "the printed command reproduces the test metrics");

        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("tune.json")));
        assertEquals(command, ((Map<?, ?>) report.get("best")).get("train_command"));
        assertEquals(4, ((List<?>) report.get("leaderboard")).size());

        CliTest.Result rerun = CliTest.run(tune);
        assertEquals(0, rerun.code(), rerun.err());
        assertTrue(rerun.err().contains("resuming the search"), rerun.err());
        assertTrue(!rerun.err().contains("trial 1 new"), "no trial is trained again: " + rerun.err());
        assertEquals(modelRow, line(rerun.out(), "model "));
    }

    @Test
    void withATestLogTrialsValidateOnTheLatestSessionsAndTheWinningCommandReproducesTheSessionMetrics() throws Exception {
        Path train = dir.resolve("train.tsv"), test = dir.resolve("test.tsv");
        assertEquals(0, CliTest.run("generate", "--users", "300", "--items", "40", "--events", "2000", "--out", train.toString(),
                "--test-out", test.toString(), "--test-fraction", "0.25", "--seed", "5").code());
        Path space = dir.resolve("session-space.json");
        Files.writeString(space, """
                {"lr": {"type": "loguniform", "low": 0.005, "high": 0.05}, "dim": 8, "hidden": 8,
                 "tied": {"type": "choice", "values": [false, true]}, "max-len": 20, "batch": 32}""");
        String[] tune = {"tune", "--data", train.toString(), "--format", "gru4rec", "--test-data", test.toString(),
                "--space", space.toString(), "--trials", "3", "--min-epochs", "1", "--max-epochs", "2", "--eta", "2",
                "--backend", "scalar", "--model", dir.resolve("s.lstmrec").toString(), "--work-dir", dir.resolve("s.tune").toString()};
        CliTest.Result r = CliTest.run(tune);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("the latest training sessions scored as the test sessions"), r.err());
        String command = line(r.out(), "  lstmrec train ").trim();
        assertTrue(command.contains("--test-data " + test.toAbsolutePath().normalize()) && command.contains("--holdout latest"), command);
        assertTrue(command.contains("--tied") || command.contains("--no-tied"), "tied is written either way under --test-data: " + command);
        String testLine = line(r.out(), "test HR@20 (Recall@20)");
        List<String> args = new ArrayList<>(Arrays.asList(command.substring("lstmrec ".length()).split(" ")));
        args.addAll(List.of("--model", dir.resolve("s-again.lstmrec").toString()));
        CliTest.Result again = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertEquals(testLine, line(again.out(), "test HR@20 (Recall@20)"), "the printed command reproduces the session test metrics");
    }

    @Test
    void aSessionLogAloneIsTunedUnderTheSessionProtocolAndItsWinningCommandReproducesTheMetrics() throws Exception {
        Path train = dir.resolve("log.tsv");
        assertEquals(0, CliTest.run("generate", "--users", "300", "--items", "40", "--events", "2000", "--out", train.toString(),
                "--seed", "6").code());
        Path space = dir.resolve("log-space.json");
        Files.writeString(space, """
                {"lr": {"type": "loguniform", "low": 0.005, "high": 0.05}, "dim": 8, "hidden": 8, "max-len": 20, "batch": 32,
                 "tied": false}""");
        CliTest.Result r = CliTest.run("tune", "--data", train.toString(), "--format", "gru4rec", "--space", space.toString(),
                "--trials", "2", "--min-epochs", "1", "--max-epochs", "2", "--eta", "2", "--backend", "scalar",
                "--model", dir.resolve("l.lstmrec").toString(), "--work-dir", dir.resolve("l.tune").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("the latest training sessions scored as the test sessions"), r.err());
        String command = line(r.out(), "  lstmrec train ").trim();
        assertTrue(command.contains("--format gru4rec") && command.indexOf("--format") == command.lastIndexOf("--format"), command);
        assertTrue(command.contains("--no-tied"), "an untied winner says so where session logs default to tied: " + command);
        assertTrue(r.err().contains("every trial draws from the space"), "dim 8 is not train's default: " + r.err());
        String testLine = line(r.out(), "test HR@20 (Recall@20)");
        List<String> args = new ArrayList<>(Arrays.asList(command.substring("lstmrec ".length()).split(" ")));
        args.addAll(List.of("--model", dir.resolve("l-again.lstmrec").toString()));
        CliTest.Result again = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("are the test set"), again.err());
        assertEquals(testLine, line(again.out(), "test HR@20 (Recall@20)"), "the printed command reproduces the session test metrics");
    }

    @Test
    void badArgumentsAreUsageErrors() {
        assertEquals(2, CliTest.run("tune", "--scheduler", "grid", "--trials", "1").code());
        assertEquals(2, CliTest.run("tune", "--eta", "1", "--trials", "1").code());
        assertEquals(2, CliTest.run("tune", "--time-budget", "soon").code());
        assertEquals(1, CliTest.run("tune", "--trials", "1", "--resume", "--work-dir", dir.resolve("none").toString()).code());
        CliTest.Result space = CliTest.run("tune", "--print-space");
        assertEquals(0, space.code());
        assertTrue(space.out().contains("\"lr\""), space.out());
        CliTest.Result sessions = CliTest.run("tune", "--print-space", "--format", "gru4rec");
        assertEquals(0, sessions.code());
        assertTrue(sessions.out().contains("\"sample-alpha\"") && !sessions.out().contains("\"layers\""), sessions.out());
    }

    @Test
    void durationsParse() {
        assertEquals(1800, TuneCommand.parseDuration("30m"));
        assertEquals(5400, TuneCommand.parseDuration("1h30m"));
        assertEquals(90, TuneCommand.parseDuration("90s"));
        assertEquals(45, TuneCommand.parseDuration("45"));
    }

    private static String line(String text, String prefix) {
        for (String l : text.split("\n")) if (l.startsWith(prefix)) return l;
        throw new AssertionError("no line starting with '" + prefix + "' in:\n" + text);
    }
}
