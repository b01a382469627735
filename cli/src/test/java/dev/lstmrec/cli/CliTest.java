package dev.lstmrec.cli;

import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The command line end to end, in-process: exit codes (0 ok, 1 data/I-O errors, 2 usage), one-line errors naming
 * file:line, the report's keys, and the train → evaluate → recommend round trip on a small generated log.
 */
class CliTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;
    static Result trained;

    record Result(int code, String out, String err) {}

    static synchronized Result run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @BeforeAll
    static void trainSmallModel() throws Exception {
        data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withSize(150, 60, 4)), data);
        model = dir.resolve("m.lstmrec");
        trained = run("train", "--data", data.toString(), "--dim", "8", "--hidden", "8", "--epochs", "2", "--batch", "32",
                "--max-len", "20", "--backend", "scalar", "--model", model.toString(), "--report", dir.resolve("r.json").toString(), "--plot", dir.resolve("train.png").toString());
    }

    @Test
    void trainWithTheSampledLossPrintsAndRecordsTheChoice() throws Exception {
        Path report = dir.resolve("sampled.json");
        Result r = run("train", "--data", data.toString(), "--dim", "8", "--hidden", "8", "--epochs", "1", "--batch", "32",
                "--max-len", "20", "--backend", "scalar", "--loss", "sampled", "--negatives", "16", "--model",
                dir.resolve("sampled.lstmrec").toString(), "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("lstmrec: loss: sampled softmax"), r.err());
        assertTrue(trained.err().contains("lstmrec: loss: full softmax") && trained.err().contains("--loss auto"), trained.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(report));
        Map<?, ?> loss = (Map<?, ?>) json.get("loss");
        assertEquals("sampled", loss.get("trained"));
        assertEquals(16L, ((Number) loss.get("negatives")).longValue());
        assertEquals(false, loss.get("mask_seen"), "the sampled losses do not mask seen items");
        assertEquals(2, run("train", "--loss", "xe").code(), "an unknown loss is a usage error");
    }

    @Test
    void seenItemsAreMaskedByDefaultAndNotWhenTurnedOff() throws Exception {
        assertTrue(trained.err().contains("the user's seen items left out"), "the default full softmax masks: " + trained.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("r.json")));
        assertEquals(true, ((Map<?, ?>) json.get("loss")).get("mask_seen"));
        Path report = dir.resolve("unmasked.json");
        Result r = run("train", "--data", data.toString(), "--dim", "8", "--hidden", "8", "--epochs", "1", "--batch", "32",
                "--max-len", "20", "--backend", "scalar", "--no-mask-seen", "--model", dir.resolve("unmasked.lstmrec").toString(),
                "--report", report.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(!r.err().contains("seen items left out"), r.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> unmasked = (Map<String, Object>) Json.parse(Files.readString(report));
        assertEquals(false, ((Map<?, ?>) unmasked.get("loss")).get("mask_seen"));
    }

    @Test
    void tiedModelTrainsSavesAndRecommends() {
        Path tiedModel = dir.resolve("tied.lstmrec");
        Result r = run("train", "--data", data.toString(), "--dim", "8", "--hidden", "8", "--tied", "--epochs", "1", "--batch", "32",
                "--max-len", "20", "--backend", "scalar", "--loss", "sampled", "--negatives", "8", "--model", tiedModel.toString());
        assertEquals(0, r.code(), r.err());
        Result rec = run("recommend", "--model", tiedModel.toString(), "--user", "u1", "--k", "3", "--backend", "scalar");
        assertEquals(0, rec.code(), rec.err());
        assertEquals(2, run("train", "--dim", "8", "--hidden", "16", "--tied").code(), "--tied needs dim = hidden");
    }

    @Test
    void trainWritesModelReportAndSummary() throws Exception {
        assertEquals(0, trained.code(), trained.err());
        assertTrue(Files.size(model) > 0);
        assertTrue(javax.imageio.ImageIO.read(dir.resolve("train.png").toFile()).getWidth() > 0, "--plot wrote a PNG");
        assertTrue(trained.out().contains("popularity"), trained.out());
        assertTrue(trained.err().contains("epoch   2"), trained.err());
        @SuppressWarnings("unchecked")
        Map<String, Object> report = (Map<String, Object>) Json.parse(Files.readString(dir.resolve("r.json")));
        for (String key : List.of("dataset", "config", "backend", "epochs", "best_epoch", "test", "popularity", "train_tokens_per_s", "protocol")) {
            assertTrue(report.containsKey(key), "report has " + key);
        }
        assertEquals("scalar", report.get("backend"));
        assertEquals(2, ((List<?>) report.get("epochs")).size());
        Map<?, ?> test = (Map<?, ?>) report.get("test");
        for (String k : List.of("HR@5", "NDCG@10", "MRR@20")) assertTrue(test.containsKey(k), k);
        Map<?, ?> ds = (Map<?, ?>) report.get("dataset");
        assertEquals(150L, ((Number) ds.get("users")).longValue());
    }

    @Test
    void evaluateAndRecommendReadTheModel() {
        Result ev = run("evaluate", "--model", model.toString(), "--backend", "scalar");
        assertEquals(0, ev.code(), ev.err());
        assertTrue(ev.out().contains("model") && ev.out().contains("popularity") && ev.out().contains("ALL items"), ev.out());

        Result rec = run("recommend", "--model", model.toString(), "--user", "u1", "--k", "5", "--backend", "scalar");
        assertEquals(0, rec.code(), rec.err());
        assertEquals(6, rec.out().strip().split("\n").length, rec.out());

        Result why = run("recommend", "--model", model.toString(), "--history", "i1,i2,i3,i4", "--k", "2", "--explain",
                "--explain-top", "2", "--backend", "scalar");
        assertEquals(0, why.code(), why.err());
        String[] lines = why.out().strip().split("\n");
        long because = Arrays.stream(lines).filter(l -> l.contains("because of")).count();
        assertTrue(because >= 1 && because <= 4 && lines.length == 3 + because, why.out());
        assertTrue(why.out().matches("(?s).*because of i[1-4] +score \\d+\\.\\d{4} lower without it \\(history position [1-4] of 4\\).*"), why.out());
        assertEquals(2, run("recommend", "--model", model.toString(), "--user", "u1", "--explain", "--explain-top", "0").code());

        Result mixed = run("recommend", "--model", model.toString(), "--history", "i1,nosuchitem,i2", "--backend", "scalar");
        assertEquals(0, mixed.code(), mixed.err());
        assertTrue(mixed.err().contains("nosuchitem"), "unknown ids are reported: " + mixed.err());

        Result unknownUser = run("recommend", "--model", model.toString(), "--user", "nobody", "--backend", "scalar");
        assertEquals(1, unknownUser.code());
        assertTrue(unknownUser.err().contains("unknown user 'nobody'"), unknownUser.err());
    }

    @Test
    void malformedLineIsExitOneNamingFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.data");
        Files.writeString(bad, "1\t10\t5\t100\n1\t11\t5\t101\n2\tx\t4\n");
        Result r = run("train", "--data", bad.toString(), "--backend", "scalar", "--model", dir.resolve("never.lstmrec").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("bad.data:3:"), r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
        assertFalse(Files.exists(dir.resolve("never.lstmrec")), "no output left behind");
    }

    @Test
    void missingFileAndCorruptModelAreExitOne() throws Exception {
        Result missing = run("train", "--data", dir.resolve("absent.csv").toString(), "--backend", "scalar");
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("absent.csv"), missing.err());

        Path corrupt = dir.resolve("corrupt.lstmrec");
        byte[] bytes = Files.readAllBytes(model);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(corrupt, bytes);
        Result r = run("evaluate", "--model", corrupt.toString(), "--backend", "scalar");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("corrupt") || r.err().contains("checksum"), r.err());
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertEquals(2, run("train", "--dim", "-3").code());
        assertEquals(2, run("train", "--no-such-option").code());
        assertEquals(2, run("train", "--format", "xml").code());
        assertEquals(2, run("recommend", "--model", "x").code(), "needs --user or --history");
        Result unknownBackend = run("info", "--backend", "nosuch");
        assertEquals(1, unknownBackend.code());
        assertTrue(unknownBackend.out().contains("unknown backend"), unknownBackend.out());
    }

    @Test
    void infoListsBackends() {
        Result r = run("info");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("scalar") && r.out().contains("in use"), r.out());
    }
}
