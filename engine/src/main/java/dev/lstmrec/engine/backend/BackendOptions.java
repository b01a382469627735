package dev.lstmrec.engine.backend;

import java.util.Map;

/**
 * Options handed to {@link BackendProvider#create}.
 *
 * @param threads worker threads for CPU backends; 0 = all available cores
 * @param extra   backend-specific settings (e.g. {@code simd.bits}, {@code cuda.device})
 */
public record BackendOptions(int threads, Map<String, String> extra) {
    public BackendOptions {
        if (threads < 0) throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        extra = Map.copyOf(extra);
    }

    public static BackendOptions defaults() {
        return new BackendOptions(0, Map.of());
    }

    public static BackendOptions withThreads(int threads) {
        return new BackendOptions(threads, Map.of());
    }

    /** Threads to use: the configured count, or every available core when 0. */
    public int resolvedThreads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
