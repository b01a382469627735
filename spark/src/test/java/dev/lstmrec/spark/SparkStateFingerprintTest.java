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
 * Seen-item masking is part of a Spark run's fingerprint: a state written before masking existed (its fingerprint has
 * no mask token, and that run trained unmasked) is refused where the settings now mask, and still resumes where they
 * do not.
 */
class SparkStateFingerprintTest {
    @TempDir
    Path dir;

    private static final int TOTAL = 5;
    private static final String DATA = "|items40|users30";

    /** The fingerprint as versions before seen-item masking wrote it. */
    private static String preMasking(TrainSettings s) {
        return (s.fingerprint() + DATA).replace(TrainSettings.MASK_TOKEN + s.lossConfig().maskSeen(), "");
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
    void aStateFromBeforeMaskingResumesOnlyUnmasked() throws IOException {
        TrainSettings masked = TrainSettings.defaults(); // --exclude-seen: the loss masks seen items
        assertTrue(masked.lossConfig().maskSeen());
        String old = write(preMasking(masked), "masked");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> SparkTrainingState.read(new Configuration(), old, masked.fingerprint() + DATA, TOTAL));
        assertTrue(e.getMessage().contains("before seen-item masking"), e.getMessage());

        for (TrainSettings unmasked : new TrainSettings[] {
                new TrainSettings(32, 32, 1, 50, 0.2f, 64, 0.003f, 5, 2, 0f, 5f, 42, "scalar", 1, 2, 4,
                        TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, false),
                new TrainSettings(32, 32, 1, 50, 0.2f, 64, 0.003f, 5, 2, 0f, 5f, 42, "scalar", 1, 2, 4,
                        TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS, false, false)
                        .withLoss(new LossConfig(LossConfig.Loss.SAMPLED, 64, 0.5f, 1f, 1f))}) {
            String d = write(preMasking(unmasked), "unmasked-" + unmasked.loss());
            assertNotNull(SparkTrainingState.read(new Configuration(), d, unmasked.fingerprint() + DATA, TOTAL),
                    "an unmasked run's old state still resumes: " + unmasked.loss());
            assertEquals(unmasked.fingerprint() + DATA, TrainSettings.withMaskToken(preMasking(unmasked)));
        }
    }
}
