package dev.lstmrec.engine.data;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A missing shared file fails under CI and skips elsewhere; a present one is found either way. */
class SharedDataTest {
    @Test
    void missingDataFailsUnderCiAndSkipsElsewhere() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> SharedData.require("no-such-set/data.tsv", true));
        assertTrue(e.getMessage().contains("shared/data/no-such-set/data.tsv") && e.getMessage().contains("CI"), e.getMessage());
        assertThrows(TestAbortedException.class, () -> SharedData.require("no-such-set/data.tsv", false));
    }
}
