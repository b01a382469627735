package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.ItemTitles;
import dev.lstmrec.serve.RecommendationServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code lstmrec serve}: runs {@link RecommendationServer} on a saved model until interrupted; Ctrl-C (SIGINT) or
 * SIGTERM stops it gracefully through a shutdown hook (requests in flight are answered first). This command owns the
 * JVM, so it is where TCP_NODELAY for the JDK HTTP server is switched on (the library never sets JVM-wide state).
 */
@Command(name = "serve", modelTransformer = RunOptionSpecs.class, mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serves a model's recommendations over HTTP (JSON) until Ctrl-C.",
                "  POST /recommend  {\"user\": \"ID\", \"history\": [\"ITEM\", ...], \"k\": 10,",
                "                    \"exclude\": [\"ITEM\", ...]}  ->  {\"items\": [{\"id\", \"score\", \"title\"}, ...]}",
                "  GET  /health, GET /info"})
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

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        if (port < 0 || port > 65535) throw Usage.error(spec, "--port must be in 0..65535, got " + port);
        if (workers < 1) throw Usage.error(spec, "--workers must be positive, got " + workers);
        if (maxBatch < 1) throw Usage.error(spec, "--max-batch must be positive, got " + maxBatch);
        if (!(maxWaitMs >= 0 && maxWaitMs <= 1000)) throw Usage.error(spec, "--max-wait-ms must be in 0..1000, got " + maxWaitMs);
        // Before the first HttpServer exists (the JDK reads it once): without it each keep-alive answer waits ~40 ms
        // for a delayed ACK. A value given with -D on the command line is kept.
        if (System.getProperty(RecommendationServer.NODELAY_PROPERTY) == null) {
            System.setProperty(RecommendationServer.NODELAY_PROPERTY, "true");
        }
        SavedModel saved = SavedModel.load(model);
        Map<String, String> titles = items == null ? Map.of() : ItemTitles.read(items);
        Backend backend = common.createBackend(System.err);
        RecommendationServer server;
        try {
            server = RecommendationServer.builder(new Recommender(saved, backend))
                    .host(host).port(port).workers(workers).maxBatch(maxBatch)
                    .maxWait(Duration.ofNanos((long) (maxWaitMs * 1e6)))
                    .titles(titles).modelFile(model.toString()).build();
        } catch (Exception e) {
            backend.close();
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("lstmrec: stopping (answering requests in flight)");
            server.stop(Duration.ofSeconds(10));
            backend.close();
            System.err.println("lstmrec: stopped");
            stopped.countDown();
        }, "lstmrec-serve-shutdown"));
        server.start();
        System.err.printf("lstmrec: serving %s (%,d items, %,d users) at %s%n", model, saved.config().numItems(),
                saved.userIds().size(), server.uri());
        System.err.println("lstmrec: POST " + server.uri() + "/recommend, GET /health, GET /info; Ctrl-C to stop");
        stopped.await();
        return 0;
    }
}
