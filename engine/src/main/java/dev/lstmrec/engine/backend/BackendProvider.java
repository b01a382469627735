package dev.lstmrec.engine.backend;

/**
 * Registers a backend through {@link java.util.ServiceLoader} ({@code META-INF/services/dev.lstmrec.engine.backend.BackendProvider}).
 * The provider class itself must load on any JVM: it may not reference optional modules or native libraries
 * (the Vector API, JCuda) until {@link #probe()} has found them usable.
 */
public interface BackendProvider {
    /** Name for {@code --backend}, lower case, e.g. {@code scalar}, {@code simd}, {@code cuda}. */
    String name();

    /** Higher wins when the backend is chosen automatically. */
    int priority();

    /** Checks whether the backend can run here. Never throws. */
    Probe probe();

    /** Creates a backend; only called after a usable probe. */
    Backend create(BackendOptions options);
}
