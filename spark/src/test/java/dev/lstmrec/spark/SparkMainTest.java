package dev.lstmrec.spark;

import dev.lstmrec.engine.train.LossConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SparkMain's option parsing (no Spark needed): the CLI's loss options and their defaults, usage errors. */
class SparkMainTest {
    private static TrainSettings settings(String... args) {
        return SparkMain.settings(SparkMain.parse(train(args)));
    }

    @Test
    void lossOptionsPassThroughWithTheCliDefaults() {
        assertEquals(LossConfig.defaults(), settings().lossConfig());
        assertEquals(new LossConfig(LossConfig.Loss.SAMPLED, 64, 0.25f, 0.5f, 1f).withMaskSeen(true), // as --exclude-seen
                settings("--loss", "sampled", "--negatives", "64", "--sample-alpha", "0.25", "--logq", "0.5").lossConfig());
        assertEquals(LossConfig.Loss.BPR_MAX, settings("--loss", "bpr-max", "--bpreg", "2").lossConfig().loss());
        assertFalse(settings("--no-exclude-seen").lossConfig().maskSeen(), "seen items are masked only when the ranking excludes them");
    }

    @Test
    void badLossSettingsAreUsageErrors() {
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--loss", "nce")).getMessage().contains("--loss"));
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--negatives", "-1")).getMessage().contains("--negatives"));
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--optimizer", "sgd", "--loss", "sampled"))
                .getMessage().contains("sgd"));
        assertEquals(LossConfig.Loss.FULL, settings("--optimizer", "sgd", "--loss", "full").lossConfig().loss());
        assertEquals(LossConfig.Loss.AUTO, settings("--optimizer", "sgd").lossConfig().loss()); // full up to 16,384 items: checked at fit
    }

    @Test
    void unknownOptionsAreUsageErrorsNotIgnored() {
        String m = assertThrows(SparkMain.UsageException.class, () -> settings("--negativs", "64")).getMessage();
        assertTrue(m.contains("unknown option --negativs"), m);
        assertTrue(assertThrows(SparkMain.UsageException.class, () -> settings("--row-optimizer", "adagrad")).getMessage()
                .contains("--row-optimizer"));
    }

    @Test
    void theCliCheckpointEveryIsRefusedForTheRoundsOption() {
        String m = assertThrows(SparkMain.UsageException.class, () -> SparkMain.parse(train("--checkpoint-every", "5"))).getMessage();
        assertTrue(m.contains("--checkpoint-every ") && m.contains("batches") && m.contains("--checkpoint-every-rounds"), m);
        assertEquals(5, SparkMain.checkpointEveryRounds(SparkMain.parse(train("--checkpoint-every-rounds", "5"))));
        assertEquals(10, SparkMain.checkpointEveryRounds(SparkMain.parse(train())));
        assertThrows(SparkMain.UsageException.class, () -> SparkMain.checkpointEveryRounds(SparkMain.parse(train("--checkpoint-every-rounds", "-1"))));
    }

    private static String[] train(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "train";
        System.arraycopy(args, 0, all, 1, args.length);
        return all;
    }
}
