package dev.lstmrec.cli;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendUnavailableException;
import dev.lstmrec.engine.backend.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** {@code lstmrec info}: the backends found, which one is used, and why the others cannot run. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Lists the compute backends found, which one is in use, and why the others are unavailable.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--backend", paramLabel = "NAME", description = "Show which backend this choice resolves to (default: auto).")
    String backend;

    @Option(names = "--threads", defaultValue = "0", description = "Threads for CPU backends (default: all cores).")
    int threads;

    @Override
    public Integer call() {
        System.out.println(new VersionProvider().getVersion()[0]);
        System.out.printf("cores: %d, max heap: %,d MiB, jdk.incubator.vector: %s%n", Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20,
                ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent() ? "present" : "absent (add --add-modules jdk.incubator.vector)");
        System.out.println("backends (highest priority first):");
        for (Backends.Found f : Backends.discover()) {
            System.out.printf("  %-8s priority %3d  %-11s  %s%n", f.provider().name(), f.provider().priority(),
                    f.probe().usable() ? "usable" : "unavailable", f.probe().reason());
        }
        String requested = Backends.requestedName(backend);
        Backends.claimFallbackWarning(); // the table above already says why SIMD cannot run; no logged repeat
        try {
            Backends.Found chosen = Backends.choose(backend);
            try (Backend b = chosen.create(new BackendOptions(Math.max(0, threads), java.util.Map.of()))) {
                System.out.println("in use (" + requested + "): " + b.name() + " — " + b.description());
            }
            return 0;
        } catch (BackendUnavailableException e) {
            System.out.println("in use (" + requested + "): none — " + e.getMessage());
            return 1;
        }
    }
}
