package dev.lstmrec.cli;

// lstmrec generate and the session protocol through the command line: generate a log with a time-split test file,
// train --test-data on it, evaluate --test-data the saved model (same metrics), and the usage errors.

import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionCliTest {
    @TempDir
    Path dir;

    @Test
    void generateThenTrainAndEvaluateOnTestSessions() throws Exception {
        Path train = dir.resolve("train.tsv"), test = dir.resolve("test.tsv"), model = dir.resolve("m.lstmrec");
        CliTest.Result g = CliTest.run("generate", "--users", "400", "--items", "60", "--events", "3000", "--zipf", "0.8",
                "--out", train.toString(), "--test-out", test.toString(), "--test-fraction", "0.25", "--seed", "3");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("300 sessions"), g.out());
        assertTrue(Files.readString(train).startsWith("SessionId\tItemId\tTime\n"));
        CliTest.Result t = CliTest.run("train", "--data", train.toString(), "--format", "gru4rec", "--test-data", test.toString(),
                "--dim", "8", "--hidden", "8", "--epochs", "2", "--batch", "32", "--backend", "scalar",
                "--model", model.toString(), "--report", dir.resolve("r.json").toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(t.out().contains("NOT excluded"), "the protocol line says the prefix is not excluded: " + t.out());
        assertTrue(t.out().contains("test HR@20 (Recall@20)"), t.out());
        assertTrue(t.err().contains("dropped"), "dropped counts are printed: " + t.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("r.json")));
        for (String key : List.of("dataset", "test_dataset", "validation_cases", "test", "popularity", "protocol")) {
            assertTrue(report.containsKey(key), "report has " + key);
        }
        java.util.regex.Matcher held = java.util.regex.Pattern.compile("validation: the latest (\\d+) training sessions \\((\\d+) positions")
                .matcher(t.err());
        assertTrue(held.find(), "the validation split is printed: " + t.err());
        assertEquals(Long.parseLong(held.group(2)), ((Number) report.get("validation_cases")).longValue(), "every held-out position");
        assertTrue(t.err().contains("session-log defaults --embedding-dropout 0.5 --hidden-dropout 0.3 --tied --lr 0.01"), "the chosen defaults are printed: " + t.err());
        CliTest.Result lastItem = CliTest.run("train", "--data", train.toString(), "--format", "gru4rec", "--test-data", test.toString(),
                "--holdout", "last-item", "--dim", "8", "--hidden", "8", "--epochs", "1", "--batch", "32", "--backend", "scalar",
                "--model", dir.resolve("l.lstmrec").toString(), "--report", dir.resolve("l.json").toString());
        assertEquals(0, lastItem.code(), lastItem.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> lastReport = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("l.json")));
        assertEquals(300L, ((Number) lastReport.get("validation_cases")).longValue(), "one per training session");
        assertEquals(2, CliTest.run("train", "--data", train.toString(), "--test-data", test.toString(), "--holdout", "first").code());
        assertEquals(false, ((Map<?, ?>) report.get("loss")).get("mask_seen"), "the session protocol ranks seen items: none masked");
        String line = t.out().lines().filter(l -> l.startsWith("model ")).findFirst().orElseThrow();
        CliTest.Result e = CliTest.run("evaluate", "--model", model.toString(), "--test-data", test.toString(), "--format", "gru4rec",
                "--backend", "scalar");
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains(line), "evaluate --test-data gives train's test metrics: " + line + "\n" + e.out());
    }

    @Test
    void resumeWithTheDirectoryAloneKeepsTheSessionProtocol() throws Exception {
        Path train = dir.resolve("rtrain.tsv"), test = dir.resolve("rtest.tsv"), ckpt = dir.resolve("ckpt");
        assertEquals(0, CliTest.run("generate", "--users", "200", "--items", "40", "--events", "1500", "--out", train.toString(),
                "--test-out", test.toString(), "--test-fraction", "0.25", "--seed", "4").code());
        CliTest.Result first = CliTest.run("train", "--data", train.toString(), "--format", "gru4rec", "--test-data", test.toString(),
                "--dim", "8", "--hidden", "8", "--epochs", "1", "--batch", "32", "--backend", "scalar", "--threads", "1",
                "--checkpoint-dir", ckpt.toString(), "--model", dir.resolve("r1.lstmrec").toString());
        assertEquals(0, first.code(), first.err());
        CliTest.Result resumed = CliTest.run("train", "--resume", ckpt.toString(), "--epochs", "2",
                "--report", dir.resolve("r2.json").toString());
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("test HR@20 (Recall@20)"), resumed.out());
        assertTrue(resumed.out().contains("NOT excluded"), resumed.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("r2.json")));
        assertEquals(2, ((List<?>) report.get("epochs")).size(), "the resumed run continued the stored one");
        assertTrue(report.containsKey("test_dataset"));
        assertEquals(2, CliTest.run("train", "--resume", ckpt.toString(), "--test-data", train.toString()).code(),
                "--test-data is fixed on resume");
    }

    @Test
    void usageErrors() {
        Path out = dir.resolve("x.tsv");
        assertEquals(2, CliTest.run("generate", "--users", "10", "--items", "5", "--events", "5", "--out", out.toString()).code(),
                "fewer than 2 events per session");
        assertEquals(2, CliTest.run("generate", "--users", "10", "--items", "5", "--events", "50", "--format", "csv",
                "--out", out.toString()).code());
        assertEquals(0, CliTest.run("generate", "--users", "10", "--items", "5", "--events", "50", "--out", out.toString()).code());
        assertEquals(2, CliTest.run("train", "--data", out.toString(), "--format", "gru4rec", "--test-data", out.toString(),
                "--eval-negatives", "100", "--backend", "scalar").code());
    }

    @Test
    void plotDrawsTheTestLearningCurveWithoutChangingTheRun() throws Exception {
        Path train = dir.resolve("ptrain.tsv"), test = dir.resolve("ptest.tsv"), png = dir.resolve("curve.png");
        assertEquals(0, CliTest.run("generate", "--users", "300", "--items", "50", "--events", "2400", "--out", train.toString(),
                "--test-out", test.toString(), "--test-fraction", "0.25", "--seed", "8").code());
        String[] base = {"train", "--data", train.toString(), "--format", "gru4rec", "--test-data", test.toString(), "--dim", "8",
                "--hidden", "8", "--epochs", "3", "--patience", "0", "--batch", "32", "--backend", "scalar", "--threads", "1"};
        CliTest.Result plain = CliTest.run(concat(base, "--model", dir.resolve("a.lstmrec").toString()));
        CliTest.Result plotted = CliTest.run(concat(base, "--model", dir.resolve("b.lstmrec").toString(), "--plot", png.toString(),
                "--report", dir.resolve("curve.json").toString()));
        assertEquals(0, plain.code(), plain.err());
        assertEquals(0, plotted.code(), plotted.err());
        String metrics = plain.out().lines().filter(l -> l.startsWith("model ")).findFirst().orElseThrow();
        assertTrue(plotted.out().contains(metrics), "scoring the test every epoch changes nothing of the run: " + metrics);
        assertTrue(plotted.out().contains("chart written to " + png), plotted.out());
        assertEquals(2 * TrainingChart.PANEL_HEIGHT, javax.imageio.ImageIO.read(png.toFile()).getHeight());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("curve.json")));
        List<?> epochs = (List<?>) report.get("epochs");
        assertEquals(3, epochs.size());
        int best = ((Number) report.get("best_epoch")).intValue();
        for (Object e : epochs) assertTrue(((Map<?, ?>) e).containsKey("test"), "every epoch has its test figures: " + e);
        assertEquals(report.get("test"), ((Map<?, ?>) epochs.get(best - 1)).get("test"), "the curve at the kept epoch is the test of the model");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
