package dev.lstmrec.engine.backend;

// The wrappers must forward every op of Backend themselves: an op they inherited as a default method would run the
// default's composition through the wrapper (skipping the checks or the counts, or a backend's fused kernel). This
// fails the build as soon as an op is added to Backend without its method in CheckedBackend and CountingBackend.
// Also: a raw CPU backend (without the checked front) still refuses a freed tensor, because its array is gone.

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WrappersTest {
    @Test
    void checkedAndCountingBackendsDeclareEveryOp() throws Exception {
        for (Class<?> wrapper : new Class<?>[] {CheckedBackend.class, CountingBackend.class}) {
            List<String> missing = new ArrayList<>();
            for (Method m : Backend.class.getMethods()) {
                if (Modifier.isStatic(m.getModifiers())) continue;
                Method impl = wrapper.getMethod(m.getName(), m.getParameterTypes());
                if (impl.getDeclaringClass() != wrapper) missing.add(m.getName());
            }
            assertEquals(List.of(), missing, wrapper.getSimpleName() + " must forward these ops itself");
        }
    }

    @Test
    void wrappersKeepTheStorageOwnerOfTheBackendTheyWrap() {
        ScalarBackend raw = new ScalarBackend();
        Backend checked = CheckedBackend.wrap(raw);
        assertSame(checked, CheckedBackend.wrap(checked), "wrapping twice is a no-op");
        CountingBackend counted = new CountingBackend(checked);
        assertSame(raw, counted.storageOwner());
        Backend front = CheckedBackend.wrap(new CountingBackend(raw));
        Tensor t = counted.allocate(3);
        front.fill(t, 1f); // the same owner through either stacking
        counted.close();
    }

    @Test
    void aRawCpuBackendRefusesAFreedTensorToo() {
        ScalarBackend raw = new ScalarBackend();
        Tensor t = raw.allocate(4, 2);
        IntTensor ids = raw.allocateInt(3);
        raw.free(t);
        raw.free(ids);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> raw.fill(t.rows(1, 1), 0f));
        assertTrue(e.getMessage().contains("after free"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> raw.downloadInt(new int[3], 0, ids));
        assertThrows(IllegalStateException.class, () -> raw.free(t), "double free");
    }
}
