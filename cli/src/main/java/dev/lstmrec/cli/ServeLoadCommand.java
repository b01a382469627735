package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.serve.LoadTest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code lstmrec serve-load}: a closed-loop load test of a running {@code lstmrec serve} on this machine. */
@Command(name = "serve-load", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-tests a running 'lstmrec serve' on this machine.",
                "For each concurrency C, C clients send requests back to back for --seconds: POST /recommend with",
                "histories taken from the model's users (--mode recommend), POST /events of --batch random events of",
                "the model's users and items (--mode events; the server needs --journal), or 80% recommendations by",
                "user id and 20% single events (--mode mixed).",
                "Prints throughput, events/s, latency percentiles per path, errors and the server's mean batch size."})
final class ServeLoadCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "The server (loopback only; default ${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "The served model: its users' histories become the requests.")
    Path model;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,8,64", paramLabel = "C",
            description = "Concurrent clients, one run per value (default ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--seconds", defaultValue = "10", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--warmup-seconds", defaultValue = "2", paramLabel = "SECONDS", description = "Unmeasured warm-up before each run, in seconds (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--k", defaultValue = "10", description = "Items per request (default ${DEFAULT-VALUE}).")
    int k;

    @Option(names = "--by", defaultValue = "history", paramLabel = "history|user",
            description = "Send the items of each user's window (the ones the model reads) as \"history\", or just the \"user\" id (default ${DEFAULT-VALUE}).")
    String by;

    @Option(names = "--mode", defaultValue = "recommend", paramLabel = "recommend|events|mixed",
            description = "What to send (default ${DEFAULT-VALUE}); mixed sends recommendations by user id (--by is ignored).")
    String mode;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N",
            description = "Events per POST /events in --mode events (1 = single-event bodies; at most 1000; default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--token-file", paramLabel = "FILE", description = "Send the server's bearer token from FILE with POST /events.")
    Path tokenFile;

    @Option(names = "--per-second", description = "Also print requests, errors and p99 for each second of each run.")
    boolean perSecond;

    @Override
    public Integer call() throws Exception {
        if (!(seconds > 0) || !(warmup >= 0)) throw Usage.error(spec, "--seconds must be positive and --warmup-seconds >= 0");
        if (k < 1 || k > 1000) throw Usage.error(spec, "--k must be in 1..1000, got " + k);
        for (int c : concurrency) if (c < 1 || c > 4096) throw Usage.error(spec, "--concurrency values must be in 1..4096, got " + c);
        if (!by.equals("history") && !by.equals("user")) throw Usage.error(spec, "--by must be history or user, got " + by);
        if (!List.of("recommend", "events", "mixed").contains(mode)) throw Usage.error(spec, "--mode must be recommend, events or mixed, got " + mode);
        if (batch < 1 || batch > 1000) throw Usage.error(spec, "--batch must be in 1..1000, got " + batch);
        String token = tokenFile == null ? null : java.nio.file.Files.readString(tokenFile).strip();
        SavedModel saved = SavedModel.load(model);
        LoadTest.Workload workload = workload(saved);
        System.out.printf("%-11s %-10s %9s %7s %9s %9s %8s %8s %8s %10s%n", "concurrency", "path", "requests", "errors", "req/s",
                "events/s", "p50_ms", "p99_ms", "max_ms", "mean_batch");
        long totalErrors = 0;
        String firstError = null;
        for (int c : concurrency) {
            if (warmup > 0) LoadTest.run(url, workload, token, c, Duration.ofNanos((long) (warmup * 1e9)), 0);
            LoadTest.Result r = LoadTest.run(url, workload, token, c, Duration.ofNanos((long) (seconds * 1e9)), 0);
            System.out.printf("%-11d %-10s %9d %7d %9.1f %9.1f %8.2f %8.2f %8.2f %10.2f%n", c, "all", r.requests(), r.errors(),
                    r.throughput(), r.eventThroughput(), r.p50Millis(), r.p99Millis(), r.maxMillis(), r.meanBatch());
            if (r.byPath().size() > 1) {
                r.byPath().forEach((path, l) -> System.out.printf("%-11d %-10s %9d %7d %9.1f %9.1f %8.2f %8.2f %8.2f %10s%n", c, path,
                        l.requests(), l.errors(), l.requests() / r.seconds(), l.events() / r.seconds(), l.p50Millis(), l.p99Millis(),
                        l.maxMillis(), ""));
            }
            if (perSecond) {
                for (int sec = 0; sec < r.perSecond().size(); sec++) {
                    LoadTest.Latency l = r.perSecond().get(sec);
                    System.out.printf("  second %3d: %7d requests %5d errors  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms%n", sec + 1,
                            l.requests(), l.errors(), l.p50Millis(), l.p99Millis(), l.maxMillis());
                }
            }
            System.out.flush();
            totalErrors += r.errors();
            if (firstError == null) firstError = r.firstError();
        }
        if (totalErrors > 0) throw new CliException(totalErrors + " request(s) failed; first: " + firstError);
        return 0;
    }

    private LoadTest.Workload workload(SavedModel saved) {
        if (mode.equals("recommend")) {
            List<String> bodies = bodies(saved, by);
            if (bodies.isEmpty()) throw new CliException(model + " has no user histories to send");
            return LoadTest.recommendations(bodies);
        }
        LoadTest.Workload events = LoadTest.events(saved.userIds(), saved.itemIds(), mode.equals("events") ? batch : 1, 42);
        if (mode.equals("events")) return events;
        List<String> byUser = bodies(saved, "user");
        if (byUser.isEmpty()) throw new CliException(model + " has no users to recommend for");
        return LoadTest.mix(LoadTest.recommendations(byUser), events, 5);
    }

    private List<String> bodies(SavedModel saved, String by) {
        List<String> users = new ArrayList<>();
        List<List<String>> histories = new ArrayList<>();
        for (int u = 0; u < saved.userIds().size(); u++) {
            int[] h = saved.histories()[u];
            if (h.length == 0) continue;
            users.add(saved.userIds().get(u));
            List<String> ids = new ArrayList<>();
            if (by.equals("history")) {
                for (int item : ModelScorer.window(h, saved.config().maxLen())) ids.add(saved.itemIds().get(item - 1));
            }
            histories.add(ids);
        }
        return by.equals("user") ? LoadTest.userBodies(users, k) : LoadTest.historyBodies(histories, k);
    }
}
