package dev.lstmrec.spark;

// TrainSettings built from a RunConfig: the defaults are lstmrec train's and fingerprint as before (states written by
// earlier versions still resume), and a setting Spark does not train with is refused rather than dropped.

import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.train.LrSchedule;
import dev.lstmrec.engine.train.RowOptimizer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainSettingsTest {
    @Test
    void theDefaultsAreTheTrainersAndFingerprintAsBefore() {
        TrainSettings d = TrainSettings.defaults();
        assertEquals(LstmRec.trainer().trainConfig().lr(), d.lr());
        assertEquals(dev.lstmrec.engine.api.RunConfig.defaults().lossConfig().withMaskSeen(true), d.lossConfig());
        assertEquals("d64|h64|l1|T200|p0.2|B64|lr0.003|wd0.0|clip5.0|seed42|P2|k4|ADAM|ALL_TASKS|extrue|masktrue"
                + "|lossauto|K2048|alpha0.5|logq1.0|bpreg1.0", d.legacyFingerprint(), "the older form, as older versions wrote it");
        assertEquals(d, TrainSettings.from(d.runConfig(), d.partitions(), d.localSteps(), d.optimizer(), d.rowAveraging()),
                "the run configuration of the settings gives them back");
        String f = d.runFingerprint(40, 30).value();
        assertTrue(f.startsWith(dev.lstmrec.engine.api.RunFingerprint.VERSION + dev.lstmrec.engine.api.RunFingerprint.settings(
                d.runConfig(), dev.lstmrec.engine.train.LossConfig.Loss.FULL)), "the single-machine run's settings first: " + f);
        assertTrue(f.endsWith("partitions=2;local-steps=4;optimizer=ADAM;row-averaging=ALL_TASKS;items=40;users=30"), f);
        assertEquals("auto", d.backend());
        assertEquals(0, d.threads());
    }

    @Test
    void aSettingSparkDoesNotTrainWithIsRefused() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainSettings.from(
                LstmRec.trainer().set(RunOption.EVAL_NEGATIVES, "100").resolve(), 2, 4,
                TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS));
        assertTrue(e.getMessage().contains("does not support eval-negatives"), e.getMessage());
        TrainSettings s = TrainSettings.from(LstmRec.trainer().set(RunOption.DIM, "16").excludeSeen(false).resolve(), 3, 2,
                TrainSettings.Optimizer.SGD, TrainSettings.RowAveraging.TOUCHING_TASKS);
        assertEquals(16, s.dim());
        assertEquals(3, s.partitions());
        assertEquals(2, s.localSteps());
        assertEquals(false, s.lossConfig().maskSeen());
    }

    @Test
    void theTrainersNewerSettingsTrainOnSparkAndFingerprintApart() throws Exception {
        TrainSettings s = TrainSettings.from(LstmRec.trainer().loss(new dev.lstmrec.engine.train.LossConfig(
                        dev.lstmrec.engine.train.LossConfig.Loss.SAMPLED, 2048, 0.5f, 1f, 1f, new RowOptimizer(RowOptimizer.Kind.ADAGRAD, 0.05f, 0.1f)))
                .tied(true).lrSchedule(new LrSchedule(LrSchedule.Kind.COSINE, 0.1, 0)).maskSeen(false).resolve(), 2, 4, TrainSettings.Optimizer.ADAM, TrainSettings.RowAveraging.ALL_TASKS);
        assertTrue(s.modelConfig(40).tied());
        assertEquals(new LrSchedule(LrSchedule.Kind.COSINE, 0.1, 0), s.trainConfig().schedule());
        assertEquals(RowOptimizer.Kind.ADAGRAD, s.lossConfig().rows().kind());
        assertEquals(0.1f, s.lossConfig().rows().momentum());
        assertEquals(false, s.lossConfig().maskSeen());
        TrainSettings d = TrainSettings.defaults();
        assertTrue(d.runFingerprint(40, 30).legacy().size() > 0, "the defaults still resume the older forms");
        assertTrue(d.with(RunOption.TIED, "true").runFingerprint(40, 30).legacy().isEmpty(), "older versions never trained tied");
        assertTrue(!d.with(RunOption.HIDDEN_DROPOUT, "0.3").runFingerprint(40, 30).value().equals(d.runFingerprint(40, 30).value()));
    }
}
