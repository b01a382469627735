package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.ItemTitles;
import dev.lstmrec.serve.BearerToken;
import dev.lstmrec.serve.ModelLoader;
import dev.lstmrec.serve.RecommendationServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lstmrec serve}: runs {@link RecommendationServer} on a saved model until interrupted; Ctrl-C (SIGINT) or
 * SIGTERM stops it gracefully through a shutdown hook (requests in flight are answered first, the journal is fsynced
 * and closed). This command owns the JVM, so it is where TCP_NODELAY for the JDK HTTP server is switched on and SIGHUP
 * is handled (the library never sets JVM-wide state). Every model, the first and each reloaded one, gets a backend of
 * its own, closed with it: the old model keeps scoring while the new one loads and warms.
 */
@Command(name = "serve", modelTransformer = RunOptionSpecs.class, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves a model's recommendations over HTTP (JSON) until Ctrl-C.",
                "  POST /recommend  {\"user\": \"ID\", \"history\": [\"ITEM\", ...], \"k\": 10,",
                "                    \"exclude\": [\"ITEM\", ...]}  ->  {\"items\": [{\"id\", \"score\", \"title\"}, ...]}",
                "  POST /events     {\"user\": \"ID\", \"item\": \"ITEM\", \"time\": SECONDS} or {\"events\": [...]}  (with --journal)",
                "  GET  /users/ID/history, GET /health, GET /info",
                "SIGHUP (and, with --watch, replacing the model file) swaps in the model file again without dropping a request."})
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model written by train.")
    Path model;

    @Option(names = "--port", defaultValue = "8080", description = "TCP port; 0 picks a free one (default ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--host", defaultValue = "127.0.0.1",
            description = "Address to listen on (default ${DEFAULT-VALUE}: this machine only; 0.0.0.0 for all interfaces).")
    String host;

    @Option(names = "--items", paramLabel = "FILE", description = "Item titles (u.item, movies.dat or movies.csv): adds \"title\" to items.")
    Path items;

    @Option(names = "--workers", defaultValue = "64", paramLabel = "N", description = "HTTP request threads (default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--max-batch", defaultValue = "64", paramLabel = "N",
            description = "Most concurrent queries scored in one backend call (default ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-wait-ms", defaultValue = "2", paramLabel = "MS",
            description = "Longest wait for more queries to join a batch (default ${DEFAULT-VALUE}).")
    double maxWaitMs;

    @Option(names = "--state-cache-mb", defaultValue = "" + RecommendationServer.Builder.DEFAULT_STATE_CACHE_MB, paramLabel = "MB",
            description = "Memory for carried per-user LSTM states (default ${DEFAULT-VALUE}): a request for a user advances"
                    + " their state by the events since their last request instead of re-reading the history; the least"
                    + " recently used users are evicted and recomputed on their next request. 0 keeps none.")
    long stateCacheMb;

    @Option(names = "--journal", paramLabel = "DIR",
            description = "Accept POST /events into a durable event journal in DIR (created if missing), and replay its events"
                    + " after the model's lineage position at start-up and on each reload. Without it POST /events is off.")
    Path journal;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "POST /events requires 'Authorization: Bearer TOKEN' with the token in FILE (at least 16 characters)."
                    + " Anything reachable beyond this machine needs it.")
    Path tokenFile;

    @Option(names = "--watch", description = "Reload the model whenever its file is replaced (as train and update write it);"
            + " SIGHUP reloads too.")
    boolean watch;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw Usage.error(spec, "--port must be in 0..65535, got " + port);
        if (workers < 1) throw Usage.error(spec, "--workers must be positive, got " + workers);
        if (maxBatch < 1) throw Usage.error(spec, "--max-batch must be positive, got " + maxBatch);
        if (!(maxWaitMs >= 0 && maxWaitMs <= 1000)) throw Usage.error(spec, "--max-wait-ms must be in 0..1000, got " + maxWaitMs);
        if (stateCacheMb < 0 || stateCacheMb > 1 << 20) throw Usage.error(spec, "--state-cache-mb must be in 0..1048576, got " + stateCacheMb);
        // Before the first HttpServer exists (the JDK reads it once): without it each keep-alive answer waits ~40 ms
        // for a delayed ACK. A value given with -D on the command line is kept.
        if (System.getProperty(RecommendationServer.NODELAY_PROPERTY) == null) {
            System.setProperty(RecommendationServer.NODELAY_PROPERTY, "true");
        }
        Map<String, String> titles = items == null ? Map.of() : ItemTitles.read(items);
        BearerToken token = tokenFile == null ? null : BearerToken.read(tokenFile);
        if (tokenFile != null && journal == null) throw Usage.error(spec, "--token-file guards POST /events, which needs --journal DIR");
        ModelLoader loader = file -> {
            SavedModel saved = SavedModel.load(file);
            Backend backend = common.createBackend(System.err);
            try {
                return Recommender.owning(saved, backend);
            } catch (RuntimeException e) {
                backend.close();
                throw e;
            }
        };
        Recommender first = loader.load(model);
        RecommendationServer server;
        try {
            server = RecommendationServer.builder(first).ownsRecommender(true)
                    .host(host).port(port).workers(workers).maxBatch(maxBatch)
                    .maxWait(Duration.ofNanos((long) (maxWaitMs * 1e6))).stateCacheBytes(stateCacheMb << 20)
                    .titles(titles).modelFile(model.toString()).reloadFrom(model, loader).watch(watch)
                    .journal(journal).token(token).build();
        } catch (Exception e) {
            first.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("lstmrec: stopping (answering requests in flight)");
            server.stop(Duration.ofSeconds(10));
            System.err.println("lstmrec: stopped");
            stopped.countDown();
        }, "lstmrec-serve-shutdown"));
        String noHangup = HangupSignal.install(() -> server.reloadModel("SIGHUP"));
        if (noHangup != null) System.err.println("lstmrec: " + noHangup);
        server.start();
        SavedModel saved = first.model();
        System.err.printf("lstmrec: serving %s (%,d items, %,d users) at %s%n", model, saved.config().numItems(),
                saved.userIds().size(), server.uri());
        if (journal != null) {
            System.err.printf("lstmrec: events journal %s: %,d events since the model replayed%n", journal, server.liveEvents());
            if (token == null && !InetAddress.getByName(host).isLoopbackAddress()) {
                System.err.println("lstmrec: WARNING: POST /events is open to the network without --token-file; anyone who"
                        + " can reach " + host + " can write events");
            }
        }
        System.err.println("lstmrec: POST " + server.uri() + "/recommend" + (journal != null ? ", POST /events" : "")
                + ", GET /users/ID/history, GET /health, GET /info; " + (watch ? "watching " + model + "; " : "")
                + "SIGHUP reloads the model; Ctrl-C to stop");
        stopped.await();
        return 0;
    }
}
