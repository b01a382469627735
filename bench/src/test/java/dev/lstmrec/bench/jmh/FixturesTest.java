// Fast checks of the benchmarks' one-time correctness check (no benchmark runs here): it accepts the scalar backend on
// every GEMM transpose form, rejects a wrong value or NaN, and an unavailable backend fails with its reason.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FixturesTest {
    @Test
    void gemmCheckPassesForScalarOnEveryTransposeForm() {
        try (Backend b = Fixtures.reference()) {
            for (String spec : new String[] {"a:NN:37x19x23:0", "b:NT:37x19x23:1", "c:TN:37x19x23:1", "d:TT:5x3x7:0"}) {
                assertDoesNotThrow(() -> new GemmCase(b, spec, 9).check(), spec);
            }
        }
    }

    @Test
    void assertCloseRejectsAWrongValueAndNaN() {
        float[] ref = Fixtures.random(3, 64, 1f);
        float[] off = ref.clone();
        off[17] += 0.01f;
        assertThrows(IllegalStateException.class, () -> Fixtures.assertClose("t", off, ref));
        float[] nan = ref.clone();
        nan[5] = Float.NaN;
        assertThrows(IllegalStateException.class, () -> Fixtures.assertClose("t", nan, ref));
        assertDoesNotThrow(() -> Fixtures.assertClose("t", ref.clone(), ref));
    }

    @Test
    void unavailableBackendFailsTheTrialWithTheReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fixtures.open("no-such-backend", 1));
        assertTrue(e.getMessage().contains("no-such-backend"), e.getMessage());
    }
}
