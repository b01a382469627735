package dev.lstmrec.cli;

import dev.lstmrec.engine.data.SessionLogGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code lstmrec generate}: a large synthetic session log (Zipf-like popularity) for benchmarks and tests. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a synthetic session log with Zipf-like item popularity and some sequential structure.",
                "With --test-out the latest sessions go to a separate test file (a time split for train --test-data).",
                "With --new-items-per-day R --days D the catalogue grows by R items a day and popularity drifts to the new ones."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--users", required = true, paramLabel = "U", description = "Sessions (users) to write.")
    int users;

    @Option(names = "--items", required = true, paramLabel = "N", description = "Catalogue size.")
    int items;

    @Option(names = "--events", required = true, paramLabel = "E", description = "Events in all (at least 2 per session).")
    long events;

    @Option(names = "--zipf", defaultValue = "1.0", paramLabel = "S",
            description = "Popularity exponent: item of rank r drawn with weight about r^-S; 0 = uniform (default ${DEFAULT-VALUE}).")
    double zipf;

    @Option(names = "--new-items-per-day", defaultValue = "0", paramLabel = "R",
            description = "Drift: the catalogue starts with --items and gains R items a day, and popularity follows recency"
                    + " (the newest items are the most drawn, early ones fade); needs --days (default ${DEFAULT-VALUE} = a fixed catalogue).")
    double newItemsPerDay;

    @Option(names = "--days", defaultValue = "0", paramLabel = "D",
            description = "Spread the sessions evenly over D days of real time stamps (86,400 s a day; default ${DEFAULT-VALUE} = sessions 10 minutes apart).")
    int days;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Training log to write.")
    Path out;

    @Option(names = "--test-out", paramLabel = "FILE", description = "Also write the latest sessions (--test-fraction of them) here.")
    Path testOut;

    @Option(names = "--test-fraction", defaultValue = "0.1", paramLabel = "F",
            description = "Share of sessions in --test-out, the latest in time (default ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--format", defaultValue = "gru4rec", paramLabel = "FORMAT",
            description = "gru4rec (SessionId<TAB>ItemId<TAB>Time with a header, default) or ml-100k (user item rating time).")
    String format;

    @Option(names = "--seed", defaultValue = "42", description = "Seed (default ${DEFAULT-VALUE}); the output is a pure function of the options.")
    long seed;

    @Override
    public Integer call() throws Exception {
        SessionLogGenerator.Layout layout = switch (format) {
            case "gru4rec" -> SessionLogGenerator.Layout.GRU4REC;
            case "ml-100k" -> SessionLogGenerator.Layout.ML_100K;
            default -> throw Usage.error(spec, "--format must be gru4rec or ml-100k, got '" + format + "'");
        };
        SessionLogGenerator.Config config = Usage.validated(spec,
                () -> new SessionLogGenerator.Config(users, items, events, zipf, seed, testOut == null ? 0 : testFraction,
                        newItemsPerDay, days));
        long t0 = System.nanoTime();
        SessionLogGenerator.Written w = new SessionLogGenerator(config).write(out, testOut, layout);
        System.out.printf("wrote %s: %,d sessions, %,d events%n", out, w.trainSessions(), w.trainEvents());
        if (newItemsPerDay > 0) System.out.printf("catalogue: %,d items at the start, %,d after %d days%n", items, config.totalItems(), days);
        if (testOut != null) System.out.printf("wrote %s: %,d sessions, %,d events (the latest in time)%n", testOut, w.testSessions(), w.testEvents());
        System.err.printf("lstmrec: generated in %.1fs%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
