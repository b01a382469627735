package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendProvider;
import dev.lstmrec.engine.backend.Probe;

/**
 * Registers the CUDA backend (name {@code cuda}, priority 200, above the CPU backends). This class never references a
 * JCuda type, so it loads on any machine; {@link #probe()} delegates to {@link CudaProbe}, which does, inside a catch
 * of every Throwable (a missing libcuda.so surfaces as an UnsatisfiedLinkError). Checked by CudaProviderTest.
 */
public final class CudaBackendProvider implements BackendProvider {
    /** Probing loads native code once per JVM; a failed load cannot be retried, so the first answer is kept. */
    private static volatile Probe cached;

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public int priority() {
        return 200;
    }

    @Override
    public Probe probe() {
        Probe p = cached;
        if (p == null) {
            synchronized (CudaBackendProvider.class) {
                if (cached == null) cached = safeProbe();
                p = cached;
            }
        }
        return p;
    }

    private static Probe safeProbe() {
        try {
            return CudaProbe.run();
        } catch (Throwable t) {
            return Probe.unavailable("CUDA probe failed: " + CudaProbe.firstLine(t));
        }
    }

    @Override
    public Backend create(BackendOptions options) {
        return new CudaBackend(options);
    }
}
