package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety end to end with real child JVMs: a run killed with SIGKILL mid-epoch and resumed with
 * {@code train --resume DIR} alone, or stopped with SIGTERM (the shutdown path Ctrl-C takes) and resumed into another
 * directory, ends bit-identical to an uninterrupted run on the scalar backend (same weights, same test metrics). A
 * resume refuses changed fixed settings (usage error naming both values) and a new run refuses a used directory.
 */
class ResumeTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path referenceModel;
    static Map<?, ?> referenceReport;

    static List<String> trainArgs(String name) {
        return new ArrayList<>(List.of("train", "--data", data.toString(), "--dim", "16", "--hidden", "16", "--max-len", "30",
                "--batch", "16", "--epochs", "4", "--patience", "0", "--backend", "scalar", "--threads", "1",
                "--model", dir.resolve(name + ".lstmrec").toString(), "--report", dir.resolve(name + ".json").toString()));
    }

    @BeforeAll
    static void uninterruptedRun() throws IOException {
        data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withSize(400, 120, 6)), data);
        CliTest.Result r = CliTest.run(trainArgs("reference").toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        referenceModel = dir.resolve("reference.lstmrec");
        referenceReport = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("reference.json")));
    }

    private static Process startChild(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static long stateFiles(Path d) throws IOException {
        if (!Files.isDirectory(d)) return 0;
        try (Stream<Path> s = Files.list(d)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".lstmrec-state")).count();
        }
    }

    private static void assertSameAsReference(String name) throws IOException {
        SavedModel ref = SavedModel.load(referenceModel), got = SavedModel.load(dir.resolve(name + ".lstmrec"));
        assertArrayEquals(ref.weights(), got.weights(), "weights bit-identical to the uninterrupted run");
        Map<?, ?> report = (Map<?, ?>) Json.parse(Files.readString(dir.resolve(name + ".json")));
        assertEquals(referenceReport.get("test"), report.get("test"));
        assertEquals(referenceReport.get("best_epoch"), report.get("best_epoch"));
        assertEquals(((List<?>) referenceReport.get("epochs")).size(), ((List<?>) report.get("epochs")).size());
    }

    @Test
    void sigkillMidEpochThenResumeEndsIdentical() throws Exception {
        Path ckpt = dir.resolve("killed-ckpt");
        List<String> args = trainArgs("killed");
        args.addAll(List.of("--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "3"));
        Process child = startChild(args, dir.resolve("killed.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (stateFiles(ckpt) < 2 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(child.isAlive(), "the child must still be training when killed: " + Files.readString(dir.resolve("killed.log")));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS); // SIGKILL: no hook, no cleanup
        assertFalse(Files.exists(dir.resolve("killed.lstmrec")), "killed before the end");

        // Nothing but the directory: data, model and training settings, threads, backend and outputs come from the state.
        CliTest.Result r = CliTest.run("train", "--resume", ckpt.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming from"), r.err());
        assertSameAsReference("killed");
    }

    @ParameterizedTest(name = "--row-optimizer {0}")
    @ValueSource(strings = {"adam", "adagrad"})
    void sampledLossRunKilledAndResumedEndsIdentical(String rowOptimizer) throws Exception {
        // The negatives of a step are a function of (seed, epoch, batch): a killed and resumed sampled run draws them
        // again; the row optimiser's state (Adam's moments, or Adagrad's momentum and accumulator) is checkpointed.
        List<String> sampled = List.of("--loss", "sampled", "--negatives", "16", "--tied", "--row-optimizer", rowOptimizer,
                "--adagrad-momentum", "0.3");
        List<String> refArgs = trainArgs("sampled-ref");
        refArgs.addAll(sampled);
        refArgs.set(refArgs.indexOf("--epochs") + 1, "2");
        CliTest.Result ref = CliTest.run(refArgs.toArray(String[]::new));
        assertEquals(0, ref.code(), ref.err());
        assertTrue(ref.err().contains("loss: sampled softmax"), ref.err());
        assertTrue(ref.err().contains(rowOptimizer.equals("adam") ? "lazy Adam" : "Adagrad (lr 0.05, momentum 0.3)"), ref.err());
        Path ckpt = dir.resolve("sampled-ckpt-" + rowOptimizer);
        List<String> args = trainArgs("sampled-killed");
        args.addAll(sampled);
        args.set(args.indexOf("--epochs") + 1, "2");
        args.addAll(List.of("--checkpoint-dir", ckpt.toString(), "--checkpoint-every", "3"));
        Process child = startChild(args, dir.resolve("sampled-killed.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (stateFiles(ckpt) < 2 && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(child.isAlive(), "still training when killed: " + Files.readString(dir.resolve("sampled-killed.log")));
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        CliTest.Result r = CliTest.run("train", "--resume", ckpt.toString());
        assertEquals(0, r.code(), r.err());
        assertArrayEquals(SavedModel.load(dir.resolve("sampled-ref.lstmrec")).weights(),
                SavedModel.load(dir.resolve("sampled-killed.lstmrec")).weights(), "sampled run: weights bit-identical after SIGKILL + resume");
    }

    @Test
    void sigtermStopsAfterTheBatchWithACheckpointAndResumes() throws Exception {
        List<String> args = trainArgs("stopped");
        Process child = startChild(args, dir.resolve("stopped.log"));
        Path log = dir.resolve("stopped.log");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.readString(log).contains("epoch   1 ") && child.isAlive() && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(child.isAlive(), "still training: " + Files.readString(log));
        child.destroy(); // SIGTERM: the shutdown path Ctrl-C also takes
        assertTrue(child.waitFor(60, TimeUnit.SECONDS));
        String out = Files.readString(log);
        assertTrue(out.contains("stop requested") && out.contains("--resume"), out);
        Path stopDir = dir.resolve("stopped.lstmrec.checkpoints");
        assertEquals(1, stateFiles(stopDir), "one checkpoint written on the way out: " + out);
        Matcher saved = Pattern.compile("state saved to (\\S+)").matcher(out);
        assertTrue(saved.find(), out);
        assertTrue(Files.exists(Path.of(saved.group(1))), "the file reported as saved exists: " + saved.group(1));

        // The same options again are accepted beside --resume; --checkpoint-dir A --resume B reads B and writes A.
        Path elsewhere = dir.resolve("stopped-continued");
        args.addAll(List.of("--resume", stopDir.toString(), "--checkpoint-dir", elsewhere.toString()));
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertSameAsReference("stopped");
        assertEquals(1, stateFiles(stopDir), "the resumed directory is only read");
        assertEquals(2, stateFiles(elsewhere), "the continued run writes to --checkpoint-dir");
    }

    @Test
    void resumeRefusesOtherSettingsAndCorruptState() throws Exception {
        Path ckpt = dir.resolve("other-ckpt");
        List<String> first = trainArgs("other");
        first.set(first.indexOf("--epochs") + 1, "1");
        first.addAll(List.of("--checkpoint-dir", ckpt.toString()));
        assertEquals(0, CliTest.run(first.toArray(String[]::new)).code());

        List<String> changed = trainArgs("other2");
        changed.set(changed.indexOf("--dim") + 1, "8");
        changed.addAll(List.of("--resume", ckpt.toString()));
        CliTest.Result r = CliTest.run(changed.toArray(String[]::new));
        assertEquals(2, r.code(), "a changed fixed setting is a usage error: " + r.err());
        assertTrue(r.err().contains("--dim 8") && r.err().contains("--dim 16"), r.err());

        List<String> before = Files.list(ckpt).map(Path::toString).sorted().toList();
        List<String> fresh = trainArgs("fresh");
        fresh.addAll(List.of("--seed", "7", "--checkpoint-dir", ckpt.toString()));
        CliTest.Result refused = CliTest.run(fresh.toArray(String[]::new));
        assertEquals(1, refused.code(), refused.err());
        assertTrue(refused.err().contains("not empty") && refused.err().contains("--resume " + ckpt), refused.err());
        assertEquals(before, Files.list(ckpt).map(Path::toString).sorted().toList(), "the earlier run's state is untouched");

        CliTest.Result longer = CliTest.run("train", "--resume", ckpt.toString(), "--epochs", "2");
        assertEquals(0, longer.code(), "--epochs may change on resume: " + longer.err());
        Map<?, ?> report = (Map<?, ?>) Json.parse(Files.readString(dir.resolve("other.json")));
        assertEquals(2, ((List<?>) report.get("epochs")).size(), "the remembered report path was written again");

        try (Stream<Path> s = Files.list(ckpt)) {
            for (Path p : s.toList()) {
                byte[] b = Files.readAllBytes(p);
                b[b.length / 3] ^= 1;
                Files.write(p, b);
            }
        }
        CliTest.Result corrupt = CliTest.run("train", "--resume", ckpt.toString());
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains("checksum") || corrupt.err().contains("corrupt"), corrupt.err());
    }

}
