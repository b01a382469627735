package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.io.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash safety end to end with real child JVMs: a run killed with SIGKILL mid-epoch, or stopped with SIGTERM
 * (the shutdown path Ctrl-C takes), and then resumed, ends bit-identical to an uninterrupted run on the scalar
 * backend (same weights, same test metrics).
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

        args.addAll(List.of("--resume", ckpt.toString()));
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("resuming from"), r.err());
        assertSameAsReference("killed");
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

        args.addAll(List.of("--resume", stopDir.toString()));
        CliTest.Result r = CliTest.run(args.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertSameAsReference("stopped");
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
        assertEquals(1, r.code());
        assertTrue(r.err().contains("other data or settings"), r.err());

        try (Stream<Path> s = Files.list(ckpt)) {
            for (Path p : s.toList()) {
                byte[] b = Files.readAllBytes(p);
                b[b.length / 3] ^= 1;
                Files.write(p, b);
            }
        }
        List<String> same = trainArgs("other3");
        same.addAll(List.of("--resume", ckpt.toString()));
        CliTest.Result corrupt = CliTest.run(same.toArray(String[]::new));
        assertEquals(1, corrupt.code());
        assertTrue(corrupt.err().contains("checksum") || corrupt.err().contains("corrupt"), corrupt.err());
    }

}
