package dev.lstmrec.engine.api;

// Resume through the library's front door: a run stopped mid-epoch and resumed with nothing but the directory ends
// bit-identical to an uninterrupted run (scalar backend); a changeable setting may be given, a fixed one may not; a
// new run refuses a used directory; `checkpointDir(A).resume(B)` reads B and writes A.

import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.io.Checkpoint;
import dev.lstmrec.engine.io.CheckpointFile;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.train.CheckpointDirectoryInUseException;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingBuilderResumeTest {
    @TempDir
    static Path dir;
    static Path data;
    static Experiment.Result reference;

    private static TrainingBuilder configured() {
        return LstmRec.trainer().data(data).dim(8).hidden(8).maxLen(10).batch(16).epochs(2).patience(0).seed(9)
                .backend("scalar").threads(1);
    }

    @BeforeAll
    static void uninterrupted() throws IOException {
        data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withSize(150, 60, 3).withLengths(6, 14)), data);
        reference = configured().train();
    }

    private static List<String> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Stops after {@code batches} batches, saving into {@code ckpt}; returns the file reported as saved. */
    private static Path stoppedRun(Path ckpt, int batches) {
        AtomicInteger polls = new AtomicInteger();
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                () -> configured().checkpointDir(ckpt).checkpointEvery(2).stopWhen(() -> polls.incrementAndGet() >= batches).train());
        assertTrue(Files.exists(e.checkpoint()), "the state reported as saved exists: " + e.checkpoint());
        return e.checkpoint();
    }

    private static void assertSameAsReference(Experiment.Result r) {
        assertArrayEquals(reference.model().weights(), r.model().weights(), "bit-identical to the uninterrupted run");
        assertEquals(reference.test().asMap(), r.test().asMap());
        assertEquals(reference.training().epochs().size(), r.training().epochs().size());
    }

    @Test
    void resumingWithTheDirectoryAloneEndsIdentical() throws IOException {
        Path ckpt = dir.resolve("alone");
        stoppedRun(ckpt, 5);
        Experiment.Result r = LstmRec.trainer().resume(ckpt).train();
        assertSameAsReference(r);
        assertEquals(8, r.run().intValue(RunOption.DIM), "settings came from the state");
        assertEquals(data.toAbsolutePath().normalize(), r.run().dataFile());
        assertTrue(r.test().get(Metric.HR, 10) >= 0);
    }

    @Test
    void onlyChangeableSettingsMayDifferOnResume() throws IOException {
        Path ckpt = dir.resolve("changes");
        stoppedRun(ckpt, 3);
        List<String> before = files(ckpt);
        RunConfig.ConflictException e = assertThrows(RunConfig.ConflictException.class, () -> LstmRec.trainer().resume(ckpt).lr(0.5f).train());
        assertEquals(RunOption.LR, e.option());
        assertEquals(before, files(ckpt), "a refused resume leaves the directory alone");
        Experiment.Result longer = LstmRec.trainer().resume(ckpt).epochs(3).threads(1).dim(8).train();
        assertEquals(3, longer.training().epochs().size());
        assertEquals(3, longer.run().intValue(RunOption.EPOCHS));
    }

    @Test
    void aNewRunRefusesAUsedDirectory() throws IOException {
        Path ckpt = dir.resolve("used");
        stoppedRun(ckpt, 4);
        List<String> before = files(ckpt);
        CheckpointDirectoryInUseException e = assertThrows(CheckpointDirectoryInUseException.class,
                () -> configured().seed(10).checkpointDir(ckpt).train());
        assertTrue(e.getMessage().contains(ckpt.toString()), e.getMessage());
        assertEquals(before, files(ckpt), "the earlier run's state is untouched");
    }

    @Test
    void resumeFromOneDirectoryWritesToAnother() throws IOException {
        Path from = dir.resolve("from"), to = dir.resolve("to");
        stoppedRun(from, 3);
        List<String> before = files(from);
        Experiment.Result r = LstmRec.trainer().resume(from).checkpointDir(to).train();
        assertSameAsReference(r);
        assertEquals(before, files(from), "the resumed directory is read, not written");
        assertEquals(2, files(to).size(), "the continued run's newest two states: " + files(to));
        Experiment.Result again = LstmRec.trainer().resume(to).epochs(2).train();
        assertSameAsReference(again);

        Path used = dir.resolve("used-target");
        stoppedRun(used, 2);
        assertThrows(CheckpointDirectoryInUseException.class, () -> LstmRec.trainer().resume(from).checkpointDir(used).train());
    }

    @Test
    void aStateWrittenBeforeConfigurationsWereStoredResumesWithTheSettingsGivenAgain() throws IOException {
        Path ckpt = dir.resolve("old");
        Path file = stoppedRun(ckpt, 3);
        Checkpoint c = CheckpointFile.read(file);
        Checkpoint.Builder b = Checkpoint.builder();
        c.meta().forEach((k, v) -> {
            if (!k.equals("run_config")) b.meta(k, v);
        });
        c.floats().forEach((k, v) -> b.floats(k, v));
        CheckpointFile.write(file, b.build());
        for (Path p : Files.list(ckpt).toList()) if (!p.equals(file)) Files.delete(p);

        assertThrows(CheckpointFormatException.class, () -> LstmRec.trainer().resume(ckpt).train(),
                "without stored settings, the defaults do not match the run's fingerprint");
        assertSameAsReference(configured().resume(ckpt).train());
    }
}
