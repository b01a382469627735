package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

import java.util.Optional;

/** The engine's backend conformance suite on the CUDA backend (skipped, with the probe's reason, without a GPU). */
class CudaConformanceTest extends BackendConformanceSuite {
    @Override
    protected Optional<String> onlyBackend() {
        return Optional.of("cuda");
    }
}
