package dev.lstmrec.cli;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.Map;

/** Options every computing command shares: backend choice, threads, verbosity. */
final class CommonOptions {
    @Option(names = "--backend", paramLabel = "NAME",
            description = "Compute backend: auto (default: the fastest usable), scalar, simd, cuda. "
                    + "Also -Dlstmrec.backend / LSTMREC_BACKEND.")
    String backend;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "Worker threads for CPU backends (default: all cores).")
    int threads;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    /**
     * Creates the chosen backend and says which on {@code err}; explains a scalar fallback once (the engine's own
     * warning, claimed here so that it is printed plainly instead of through System.Logger).
     */
    Backend createBackend(PrintStream err) {
        return createBackend(err, backend, threads);
    }

    /** As {@link #createBackend(PrintStream)} for a backend name and thread count resolved elsewhere (a resumed run's). */
    Backend createBackend(PrintStream err, String backend, int threads) {
        if (threads < 0) throw new CliException("--threads must be >= 0, got " + threads);
        if (Backends.requestedName(backend).equals(Backends.AUTO)) {
            Backends.claimFallbackWarning().ifPresent(w -> err.println("lstmrec: " + w));
        }
        Backend b = Backends.create(backend, new BackendOptions(threads, Map.of()));
        err.println("lstmrec: backend " + b.name() + " (" + b.description() + ")");
        return b;
    }
}
