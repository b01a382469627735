package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.Probe;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The provider: registered, probes usable here (the test JVM has --add-modules), names no incubator type in its own
 * class files (so it loads without the module), honours the width override and rejects bad widths clearly.
 */
class SimdProviderTest {
    @Test
    void registeredAndUsable() {
        Backends.Found simd = Backends.discover().stream().filter(f -> f.provider().name().equals("simd")).findFirst()
                .orElseThrow();
        assertEquals(100, simd.provider().priority());
        Probe probe = simd.probe();
        assertTrue(probe.usable(), probe.reason());
        assertTrue(probe.reason().startsWith("Vector API FloatVector "), probe.reason());
    }

    @Test
    void providerAndLoaderNameNoIncubatorType() throws IOException {
        for (Class<?> c : new Class<?>[] {SimdBackendProvider.class, SpeciesLoader.class}) {
            try (InputStream in = c.getResourceAsStream(c.getSimpleName() + ".class")) {
                String bytes = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains("jdk/incubator"), c + " references jdk.incubator.*");
            }
        }
    }

    @Test
    void widthOverrideAndDescription() {
        int max = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        try (Backend b = new SimdBackendProvider().create(new BackendOptions(2, Map.of("simd.bits", "128")))) {
            assertEquals("Vector API FloatVector 128-bit (4 lanes), 2 threads", b.description());
        }
        try (Backend b = new SimdBackendProvider().create(BackendOptions.withThreads(1))) {
            assertEquals("Vector API FloatVector " + max + "-bit (" + max / 32 + " lanes), 1 thread", b.description());
        }
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new SimdBackendProvider().create(new BackendOptions(1, Map.of("simd.bits", "384"))));
        assertTrue(bad.getMessage().contains("128, 256 or 512"), bad.getMessage());
        if (max < 512) {
            assertThrows(IllegalArgumentException.class,
                    () -> new SimdBackendProvider().create(new BackendOptions(1, Map.of("simd.bits", "512"))));
        }
    }
}
