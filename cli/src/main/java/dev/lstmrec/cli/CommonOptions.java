package dev.lstmrec.cli;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.api.RunOption;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Map;

/**
 * Options every computing command shares: backend choice and threads ({@link RunOptionSpecs} declares them from their
 * {@link RunOption}s), verbosity.
 */
final class CommonOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec spec;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    /**
     * Creates the chosen backend and says which on {@code err}; explains a scalar fallback once (the engine's own
     * warning, claimed here so that it is printed plainly instead of through System.Logger).
     */
    Backend createBackend(PrintStream err) {
        return createBackend(err, backend(), threads());
    }

    /** --backend as given; null = not given (the configured or automatic choice). */
    String backend() {
        return RunOptionSpecs.given(spec, RunOption.BACKEND);
    }

    /** --threads as given, else its default (0 = all cores). */
    int threads() {
        return RunOptionSpecs.config(spec).intValue(RunOption.THREADS);
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
