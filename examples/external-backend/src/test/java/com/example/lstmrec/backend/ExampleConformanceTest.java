package com.example.lstmrec.backend;

// The engine's published conformance suite (lstmrec-engine test-jar) run from outside the engine, restricted to the
// "example" backend: every op against a fresh scalar oracle, odd sizes, NaN-poisoned outputs, foreign tensors.

import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

import java.util.Optional;

class ExampleConformanceTest extends BackendConformanceSuite {
    @Override
    protected Optional<String> onlyBackend() {
        return Optional.of(ExampleBackendProvider.NAME);
    }
}
