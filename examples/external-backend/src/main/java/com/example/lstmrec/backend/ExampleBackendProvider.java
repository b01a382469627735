package com.example.lstmrec.backend;

// Registers ExampleBackend through META-INF/services of this module only. Checked by ExampleDiscoveryTest.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendProvider;
import dev.lstmrec.engine.backend.Probe;

/**
 * The provider of the {@code example} backend. Its priority is negative so that {@code auto} never picks it over
 * the engine's own backends; it runs only when asked for by name ({@code --backend example}).
 */
public final class ExampleBackendProvider implements BackendProvider {
    /** The name {@code --backend} and {@code -Dlstmrec.backend} use. */
    public static final String NAME = "example";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Probe probe() {
        // A real backend checks its optional module or native library here, without throwing.
        return Probe.ok("example of a third-party backend (delegates to the scalar reference)");
    }

    @Override
    public Backend create(BackendOptions options) {
        return new ExampleBackend();
    }
}
