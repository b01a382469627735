package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendProvider;
import dev.lstmrec.engine.backend.Probe;

/** Registers the always-available scalar reference backend (lowest priority). */
public final class ScalarBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Probe probe() {
        return Probe.ok("plain Java reference, always available");
    }

    @Override
    public Backend create(BackendOptions options) {
        return new ScalarBackend();
    }
}
