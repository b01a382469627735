package dev.lstmrec.engine.io;

import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.train.LossConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Every command-line enum parses through CliName: trimmed, case-insensitive, one error text listing the names. */
class CliNameTest {
    @Test
    void namesParseAndMistakesListTheValidNames() {
        assertEquals(LossConfig.Loss.BPR_MAX, LossConfig.Loss.parse(" BPR-max "));
        assertEquals(Format.GRU4REC, Format.fromCliName("gru4rec"));
        assertEquals(SessionExperiment.Holdout.LAST_ITEM, SessionExperiment.Holdout.parse("last-item"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LossConfig.Loss.parse("softmax"));
        assertEquals("--loss must be full, sampled, bpr-max or auto, got 'softmax'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> SessionExperiment.Holdout.parse(null));
        assertEquals("--holdout must be latest or last-item, got 'null'", e.getMessage());
    }
}
