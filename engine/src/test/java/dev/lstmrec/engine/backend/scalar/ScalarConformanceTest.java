package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

import java.util.Optional;

/**
 * Runs the conformance suite on the scalar backend against a second, fresh scalar instance: this proves the suite
 * itself (views, guards, poisoning, exact tie handling) and that the oracle is deterministic.
 */
class ScalarConformanceTest extends BackendConformanceSuite {
    @Override
    protected Optional<String> onlyBackend() {
        return Optional.of("scalar");
    }
}
