package dev.lstmrec.engine.api;

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.io.Checkpoint;
import dev.lstmrec.engine.io.CheckpointFile;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run fingerprint: the fixed settings come from the {@link RunOption} declarations, and the one compatibility
 * path takes a state whose fingerprint is the form older versions wrote for the same run, and nothing else.
 */
class RunFingerprintTest {
    @TempDir
    static Path dir;
    static Path data;

    @BeforeAll
    static void data() throws IOException {
        data = dir.resolve("u.data");
        SyntheticData.writeMl100k(SyntheticData.generate(SyntheticConfig.defaults().withLengths(6, 12).withSize(120, 50, 3)), data);
    }

    private static TrainingBuilder configured() {
        return LstmRec.trainer().data(data).dim(8).hidden(8).maxLen(10).batch(16).epochs(2).patience(0).seed(9)
                .backend("scalar").threads(1);
    }

    @Test
    void theSettingsAreEveryFixedDeclarationAtItsEffectiveValue() {
        RunConfig run = RunConfig.defaults();
        String s = RunFingerprint.settings(run, LossConfig.Loss.FULL);
        for (RunOption o : RunOption.values()) {
            boolean fixed = !o.changeable() && (o.group() == RunOption.Group.MODEL || o.group() == RunOption.Group.TRAINING
                    || o.group() == RunOption.Group.LOSS || o.group() == RunOption.Group.EVALUATION);
            assertEquals(fixed, s.contains(";" + o.key() + "=") || s.startsWith(o.key() + "="), o.key() + " in " + s);
        }
        assertTrue(s.contains("embedding-dropout=0.2;") && s.contains("mask-seen=true;") && s.contains("loss=full;"), s);
        String other = RunFingerprint.settings(RunConfig.of(Map.of(RunOption.TIED, "true")), LossConfig.Loss.FULL);
        assertNotEquals(s, other, "a setting given changes the fingerprint");
        assertEquals(s, RunFingerprint.settings(RunConfig.of(Map.of(RunOption.EPOCHS, "7", RunOption.THREADS, "3")), LossConfig.Loss.FULL),
                "settings a resume may change are not part of it");
    }

    @Test
    void acceptsItsOwnValueAndTheOlderFormOnly() {
        RunFingerprint f = new RunFingerprint(RunFingerprint.VERSION + "a", List.of("old-a"));
        assertTrue(f.accepts(RunFingerprint.VERSION + "a"));
        assertTrue(f.accepts("old-a"));
        assertFalse(f.accepts(RunFingerprint.VERSION + "b"));
        assertFalse(f.accepts("old-b"));
        assertFalse(f.accepts(null));
        assertFalse(new RunFingerprint(RunFingerprint.VERSION + "a", List.of(RunFingerprint.VERSION + "b")).accepts(RunFingerprint.VERSION + "b"),
                "a fingerprint of the current form is compared with the current value only");
    }

    @Test
    void aStateWithTheOlderFingerprintOfTheSameRunResumesAndOfAnotherRunIsRefused() throws IOException {
        Experiment.Result reference = configured().train();
        Path ckpt = dir.resolve("older");
        AtomicInteger polls = new AtomicInteger();
        Path file = assertThrows(TrainingInterruptedException.class,
                () -> configured().checkpointDir(ckpt).checkpointEvery(2).stopWhen(() -> polls.incrementAndGet() >= 3).train()).checkpoint();
        for (Path p : Files.list(ckpt).toList()) if (!p.equals(file)) Files.delete(p);

        RunConfig run = configured().resolve();
        Dataset d = DataReader.read(data, run.readOptions());
        Experiment.Prepared prep = Experiment.leaveOneOut(d, run.protocol());
        RunFingerprint f = RunFingerprint.of(prep.fingerprintPrefix(), run, d.numItems(), prep.validation(), prep.trainSeqs(), prep.valid());
        Checkpoint saved = CheckpointFile.read(file);
        assertEquals(f.value(), saved.meta().get("fingerprint"), "the run writes the fingerprint of the current form");
        assertTrue(f.value().startsWith(RunFingerprint.VERSION));

        String older = f.legacy().get(0);
        assertTrue(older.startsWith("crc32c="), "the older form: " + older);
        rewriteFingerprint(file, older.replaceFirst("crc32c=.{8}", "crc32c=00000000"));
        assertThrows(CheckpointFormatException.class, () -> LstmRec.trainer().resume(ckpt).train(),
                "an older fingerprint of other data or settings is refused");
        rewriteFingerprint(file, older);
        Experiment.Result resumed = LstmRec.trainer().resume(ckpt).train();
        assertArrayEquals(reference.model().weights(), resumed.model().weights(), "the older state resumes bit-identically");
    }

    private static void rewriteFingerprint(Path file, String fingerprint) throws IOException {
        Checkpoint c = CheckpointFile.read(file);
        Checkpoint.Builder b = Checkpoint.builder();
        c.meta().forEach((k, v) -> b.meta(k, k.equals("fingerprint") ? fingerprint : v));
        c.floats().forEach((k, v) -> b.floats(k, v));
        c.ints().forEach((k, v) -> b.ints(k, v));
        c.strings().forEach(b::strings);
        CheckpointFile.write(file, b.build());
    }
}
