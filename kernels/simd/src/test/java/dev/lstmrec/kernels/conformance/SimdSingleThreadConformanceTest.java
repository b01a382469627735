package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

import java.util.Map;
import java.util.Optional;

/** The conformance suite on the SIMD backend with one thread and a 256-bit species (the other code paths). */
class SimdSingleThreadConformanceTest extends BackendConformanceSuite {
    @Override
    protected Optional<String> onlyBackend() {
        return Optional.of("simd");
    }

    @Override
    protected BackendOptions options() {
        return new BackendOptions(1, Map.of("simd.bits", "256"));
    }
}
