package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.BackendUnavailableException;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.Probe;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The CUDA provider is discovered through ServiceLoader, and where no usable GPU exists its probe says why in one
 * line without throwing, and choosing "cuda" explicitly fails with that reason (never a silent fallback).
 */
class CudaProviderTest {
    private static final String[] KNOWN_REASONS = {
        "no CUDA driver (libcuda.so not found)", "no CUDA device", "CUDA driver initialisation failed: ",
        "JCuda native library could not be loaded: ", "cuDeviceGetCount failed: ", "CUDA probe failed: "};

    @Test
    void providerIsRegisteredWithNameAndPriority() {
        Backends.Found found = Backends.discover().stream()
                .filter(f -> f.provider().name().equals("cuda")).findFirst()
                .orElseThrow(() -> new AssertionError("cuda provider not found by ServiceLoader"));
        assertEquals(200, found.provider().priority());
        assertTrue(found.provider() instanceof CudaBackendProvider);
    }

    @Test
    void probeWithoutGpuIsUnusableWithAOneLineReason() {
        Probe probe = new CudaBackendProvider().probe();
        assumeFalse(probe.usable(), "a CUDA device is usable here: " + probe.reason());
        String reason = probe.reason();
        assertFalse(reason == null || reason.isBlank(), "empty reason");
        assertFalse(reason.contains("\n"), "reason must be one line: " + reason);
        boolean known = false;
        for (String k : KNOWN_REASONS) known |= reason.startsWith(k);
        assertTrue(known, "unexpected reason: " + reason);
        assertEquals(probe, new CudaBackendProvider().probe(), "a second probe must give the same answer");
    }

    @Test
    void choosingCudaExplicitlyFailsWithTheProbeReason() {
        Probe probe = new CudaBackendProvider().probe();
        assumeFalse(probe.usable(), "a CUDA device is usable here: " + probe.reason());
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class, () -> Backends.choose("cuda"));
        assertTrue(e.getMessage().contains(probe.reason()), e.getMessage());
        assertTrue(e.getMessage().contains("cuda"), e.getMessage());
    }

    @Test
    void autoNeverPicksAnUnusableCuda() {
        Probe probe = new CudaBackendProvider().probe();
        assumeFalse(probe.usable(), "a CUDA device is usable here: " + probe.reason());
        assertFalse(Backends.choose("auto").provider().name().equals("cuda"));
    }
}
