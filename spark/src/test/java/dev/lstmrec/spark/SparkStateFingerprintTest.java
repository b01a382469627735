package dev.lstmrec.spark;

import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.train.LossConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Spark state resumes under the run fingerprint ({@code RunFingerprint}) it was written with, or under the older forms:
 * the form before the run fingerprint, and the one before seen-item masking (its fingerprint has no mask token, and
 * that run trained unmasked), refused where the settings now mask and still resumed where they do not.
 */
class SparkStateFingerprintTest {
    @TempDir
    Path dir;

    private static final int TOTAL = 5;
    private static final String DATA = "|items40|users30";

    /** The fingerprint as versions before seen-item masking wrote it. */
    private static String preMasking(TrainSettings s) {
        return (s.legacyFingerprint() + DATA).replace(TrainSettings.MASK_TOKEN + s.lossConfig().maskSeen(), "");
    }

    private static dev.lstmrec.engine.api.RunFingerprint fingerprint(TrainSettings s) {
        return s.runFingerprint(40, 30);
    }

    private String write(String fingerprint, String name) throws IOException {
        SparkTrainingState st = new SparkTrainingState();
        st.weights = new float[TOTAL];
        st.adamM = new float[TOTAL];
        st.adamV = new float[TOTAL];
        String d = dir.resolve(name).toString();
        st.write(new Configuration(), d, fingerprint);
        return d;
    }

    @Test
    void aStateResumesUnderItsOwnFingerprintOrTheOlderFormOfTheSameRunOnly() throws IOException {
        TrainSettings s = TrainSettings.defaults();
        assertNotNull(SparkTrainingState.read(new Configuration(), write(fingerprint(s).value(), "current"), fingerprint(s), TOTAL));
        assertNotNull(SparkTrainingState.read(new Configuration(), write(s.legacyFingerprint() + DATA, "older"), fingerprint(s), TOTAL),
                "a state written before the run fingerprint resumes");
        TrainSettings other = s.withLocalSteps(8);
        for (String stored : new String[] {fingerprint(other).value(), other.legacyFingerprint() + DATA}) {
            String d = write(stored, "other-" + stored.hashCode());
            assertThrows(CheckpointFormatException.class, () -> SparkTrainingState.read(new Configuration(), d, fingerprint(s), TOTAL),
                    "another run's state is refused: " + stored);
        }
    }

    @Test
    void aStateFromBeforeMaskingResumesOnlyUnmasked() throws IOException {
        TrainSettings masked = TrainSettings.defaults(); // --exclude-seen: the loss masks seen items
        assertTrue(masked.lossConfig().maskSeen());
        String old = write(preMasking(masked), "masked");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> SparkTrainingState.read(new Configuration(), old, fingerprint(masked), TOTAL));
        assertTrue(e.getMessage().contains("before seen-item masking"), e.getMessage());

        for (TrainSettings unmasked : new TrainSettings[] {
                new TrainSettings(32, 32, 1, 50, 0.2f, 64, 0.003f, 5, 2, 0f, 5f, 42, "scalar", 1, 2, 4,
                        TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, false),
                new TrainSettings(32, 32, 1, 50, 0.2f, 64, 0.003f, 5, 2, 0f, 5f, 42, "scalar", 1, 2, 4,
                        TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, false)
                        .withLoss(new LossConfig(LossConfig.Loss.SAMPLED, 64, 0.5f, 1f, 1f))}) {
            String d = write(preMasking(unmasked), "unmasked-" + unmasked.lossConfig().loss());
            assertNotNull(SparkTrainingState.read(new Configuration(), d, fingerprint(unmasked), TOTAL),
                    "an unmasked run's old state still resumes: " + unmasked.lossConfig().loss());
        }
    }
}
