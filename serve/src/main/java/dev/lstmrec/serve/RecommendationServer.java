package dev.lstmrec.serve;

// The recommendation HTTP server, on the JDK's built-in com.sun.net.httpserver: it is in every JDK 17+ and fast
// enough for a model server whose cost is the model, not the HTTP layer (see LoadTest). Request threads parse
// (Jackson, strictly: JsonCodec) and validate; the engine's Batcher scores on one thread; every failure is a JSON
// error and no input can take the server down. This class owns the threads and the routing; the live parts live in
// their own classes: LiveModel (the served model, its live histories, the hot swap), EventsEndpoint (POST /events over
// the journal), BearerToken, ModelReloader (--watch, SIGHUP). Checked by RecommendationServerTest over real loopback
// HTTP: results equal Recommender.recommend, batched equals one by one, every error status; by ServerFuzzTest; by
// LiveEventsTest and HotSwapTest.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lstmrec.engine.api.Explanation;
import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.model.ModelConfig;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Serves top-K recommendations of one {@link Recommender} over HTTP/1.1 with JSON bodies.
 *
 * <ul>
 *   <li>{@code POST /recommend} {@code {"user": "...", "history": ["id", ...], "k": 10, "exclude": ["id", ...],
 *       "exclude_seen": true}}: {@code user} reads that user's stored history; {@code history} gives items in time
 *       order (after the stored history when both are given; alone for a user the model does not know). Answers
 *       {@code {"items": [{"id": "...", "score": 1.5, "title": "..."}, ...]}}, best first, with the history's items
 *       (unless {@code exclude_seen} is false) and {@code exclude} left out; {@code title} only with a titles map.
 *       k defaults to 10, must be in 1..1000 and is clamped to the catalogue size.</li>
 *   <li>{@code POST /events} (with a journal): events appended to a user's history, durably (docs/serving.md);
 *       {@code GET /users/{id}/history}: a user's current history.</li>
 *   <li>{@code GET /health}: {@code {"status": "ok"}}. {@code GET /info}: the model configuration, lineage and load
 *       time, item and user counts, backend, model file, batching settings, live-history and event counters.</li>
 * </ul>
 * Errors are {@code {"error": "message"}}: 400 bad request (malformed JSON, wrong types, unknown fields, k out of
 * range, unknown history items listed in {@code "unknown_items"}), 401 {@code /events} without the token, 404 unknown
 * path or unknown user without history, 405 wrong method (with {@code Allow}), 413 body over 64 KiB (1 MiB on
 * {@code /events}), 503 overloaded or shutting down, 500 for bugs
 * (logged through {@link System.Logger}; the server keeps serving).
 *
 * <p>Latency: the JDK server sends headers and body as two TCP segments, and with Nagle's algorithm on, a keep-alive
 * answer waits about 40 ms for the client's delayed ACK. Start the JVM with {@code -Dsun.net.httpserver.nodelay=true}
 * (the JDK reads it once, when its first HttpServer is created; {@code lstmrec serve} sets it). This class changes
 * no JVM-wide setting itself; {@link Builder#build()} logs one warning when the property is not {@code true}.
 *
 * <p>Threads: the JDK's dispatcher accepts connections; a fixed pool of workers with a bounded queue reads, parses
 * and answers requests; when the queue is full the dispatcher itself answers 503 without touching the model. A single
 * batching thread owns the backend and scores concurrent queries together (up to {@code maxBatch} or
 * {@code maxWait}).
 */
public final class RecommendationServer implements AutoCloseable {
    /** Largest accepted request body (but {@code /events}: {@link EventBatch#MAX_BODY_BYTES}). */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long QUERY_TIMEOUT_SECONDS = 30;
    private static final System.Logger LOG = System.getLogger(RecommendationServer.class.getName());

    private enum Admission { NORMAL, OVERLOADED, STOPPING }

    /** The JDK server's TCP_NODELAY switch (read once per JVM, when the first HttpServer is created). */
    public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final AtomicBoolean NODELAY_WARNED = new AtomicBoolean();

    private static final ThreadLocal<Admission> ADMISSION = ThreadLocal.withInitial(() -> Admission.NORMAL);

    private final Builder options;
    private final EventJournal journal;
    private final LiveModel live;
    private final EventsEndpoint events;
    private final ModelReloader reloader;
    private final ThreadPoolExecutor workers;
    /** Sends the /events answers once their batch is durable (one thread: answers come a group commit at a time). */
    private final ExecutorService answers;
    private final HttpServer http;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean stopping;
    private boolean started;
    private boolean stopped;

    private RecommendationServer(Builder b) throws IOException {
        this.options = b;
        if (!"true".equals(System.getProperty(NODELAY_PROPERTY)) && NODELAY_WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "-D" + NODELAY_PROPERTY + "=true is not set: keep-alive answers may wait"
                    + " about 40 ms each for a delayed ACK (see RecommendationServer's documentation)");
        }
        this.journal = b.journalDir == null ? null : EventJournal.open(b.journalDir);
        try {
            this.live = new LiveModel(b.recommender, b.ownsRecommender, b.modelFile, b.journalDir,
                    journal == null ? 0 : journal.position(),
                    new ScoringSettings(b.maxBatch, b.maxWait, b.stateCacheBytes));
        } catch (IOException | RuntimeException e) {
            if (journal != null) journal.close();
            throw e;
        }
        this.events = new EventsEndpoint(journal, b.token, live);
        this.reloader = b.loader == null ? null : new ModelReloader(b.reloadFile, b.loader, live, b.maxBatch);
        try {
            if (reloader != null && b.watch) reloader.watch();
        } catch (IOException e) {
            closeModelAndJournal();
            throw new IOException("cannot watch " + b.reloadFile + " for changes: " + e.getMessage(), e);
        }
        this.answers = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "lstmrec-events-answers");
            t.setDaemon(true);
            return t;
        });
        AtomicInteger ids = new AtomicInteger();
        this.workers = new ThreadPoolExecutor(b.workers, b.workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(b.queueCapacity), r -> {
                    Thread t = new Thread(r, "lstmrec-http-" + ids.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            this.http = HttpServer.create(new InetSocketAddress(b.host, b.port), 0);
        } catch (IOException e) {
            workers.shutdownNow();
            closeModelAndJournal();
            answers.shutdownNow();
            throw new IOException("cannot listen on " + b.host + ":" + b.port + ": " + e.getMessage(), e);
        }
        http.createContext("/", this::handle);
        http.setExecutor(this::dispatch);
    }

    /** Options for a server over {@code recommender}; {@link Builder#build()} binds the port, {@link #start()} serves. */
    public static Builder builder(Recommender recommender) {
        return new Builder(recommender);
    }

    /** Starts serving. */
    public synchronized void start() {
        if (started) throw new IllegalStateException("server already started");
        started = true;
        http.start();
    }

    /**
     * Reloads the model file given to {@link Builder#reloadFrom} and swaps it in between batches (what {@code --watch}
     * does on a change, and {@code lstmrec serve} on SIGHUP). Requests in flight finish on the old model.
     *
     * @return true when the new model serves; false when the file was refused (logged), the old model serving on
     * @throws IllegalStateException when the server was built without {@link Builder#reloadFrom}
     */
    public boolean reloadModel(String why) {
        if (reloader == null) throw new IllegalStateException("built without reloadFrom: no model file to reload");
        return reloader.reload(why);
    }

    /** The bound port (the ephemeral one when built with port 0). */
    public int port() {
        return http.getAddress().getPort();
    }

    /** Events in the live histories that came from the journal (replayed at start or accepted since). */
    public long liveEvents() {
        return (Long) live.peek().histories.stats().get("events_applied");
    }

    /** Requests handed to a worker or being answered (for tests and draining). */
    int inFlight() {
        return inFlight.get();
    }

    /** Base URL, e.g. {@code http://127.0.0.1:8080}. */
    public URI uri() {
        String host = http.getAddress().getAddress().getHostAddress();
        if (host.contains(":")) host = "[" + host + "]";
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * Graceful stop: new requests get 503 while those already accepted finish (up to {@code grace}), then the
     * listener, connections, workers and the batching thread are closed. Idempotent.
     */
    public void stop(Duration grace) {
        synchronized (this) {
            if (stopped) return;
            stopped = true;
            // The listening socket is registered with the dispatcher's selector and only really closes when that
            // selector runs: a server that was built but never started is started here so that stop releases the port.
            if (!started) http.start();
            started = true;
        }
        stopping = true;
        long deadline = System.nanoTime() + grace.toNanos();
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) Thread.sleep(2);
            http.stop(0);
            workers.shutdown();
            workers.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            workers.shutdownNow();
            closeModelAndJournal();
            answers.shutdown(); // after the journal's last fsync: its batches still get their answers (or a 503)
        }
    }

    /** The model (after scoring what is queued), then the journal (after the pending fsync). */
    private void closeModelAndJournal() {
        if (reloader != null) reloader.close();
        live.close();
        if (journal != null) {
            try {
                journal.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.ERROR, "closing the event journal failed", e);
            }
        }
    }

    /** {@link #stop(Duration)} with five seconds' grace. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(5));
    }

    // ---------------------------------------------------------------- threads

    /** The HttpServer's executor: admission is decided here, when the exchange is handed over. */
    private void dispatch(Runnable exchange) {
        Admission admission = stopping ? Admission.STOPPING : Admission.NORMAL;
        inFlight.incrementAndGet();
        try {
            workers.execute(() -> runAs(admission, exchange));
        } catch (RejectedExecutionException full) {
            // Answer on the dispatcher thread without touching the model: cheap (the JDK reads the request headers
            // here, and closing the exchange skims up to 64 KiB of unread body), and the client gets a JSON 503
            // instead of a dropped connection.
            runAs(stopping ? Admission.STOPPING : Admission.OVERLOADED, exchange);
        }
    }

    private void runAs(Admission admission, Runnable exchange) {
        ADMISSION.set(admission);
        try {
            exchange.run();
        } finally {
            ADMISSION.remove();
            inFlight.decrementAndGet();
        }
    }

    // ---------------------------------------------------------------- requests

    private void handle(HttpExchange ex) {
        requests.incrementAndGet();
        boolean answeredLater = false;
        try {
            Admission admission = ADMISSION.get();
            if (admission == Admission.OVERLOADED) {
                throw new ApiException(503, "server overloaded: " + options.queueCapacity + " requests already queued; retry later");
            }
            if (admission == Admission.STOPPING) throw new ApiException(503, "server is shutting down");
            answeredLater = route(ex);
        } catch (ApiException e) {
            Exchanges.respond(ex, e.status(), e.body());
        } catch (Throwable t) {
            bug(ex, t);
        } finally {
            if (!answeredLater) ex.close();
        }
    }

    private static void bug(HttpExchange ex, Throwable t) {
        LOG.log(System.Logger.Level.ERROR, "bug while answering " + ex.getRequestMethod() + " " + ex.getRequestURI(), t);
        Exchanges.respond(ex, 500, Map.of("error", "internal server error (" + t.getClass().getSimpleName() + "); see the server log"));
    }

    /**
     * Answers an accepted /events batch on the answering thread once it is durable and applied. The request thread
     * goes back to the pool at once instead of parking for the fsync: one thread is woken per group commit, not one
     * per request, and no worker is tied up while the disk syncs.
     */
    private void answerLater(HttpExchange ex, EventsEndpoint.Pending pending) {
        inFlight.incrementAndGet();
        pending.applied().whenCompleteAsync((end, failure) -> {
            try {
                Exchanges.respond(ex, 200, events.answer(pending));
            } catch (ApiException e) {
                Exchanges.respond(ex, e.status(), e.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                Exchanges.respond(ex, 503, Map.of("error", "server is shutting down"));
            } catch (Throwable t) {
                bug(ex, t);
            } finally {
                ex.close();
                inFlight.decrementAndGet();
            }
        }, answers);
    }

    private static final String USERS = "/users/", HISTORY = "/history";

    /** Answers the request, or returns true when its answer will be sent later ({@link #answerLater}). */
    private boolean route(HttpExchange ex) throws InterruptedException {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        if (path != null && path.startsWith(USERS) && path.endsWith(HISTORY) && path.length() > USERS.length() + HISTORY.length()) {
            if (!method.equals("GET")) throw Exchanges.wrongMethod(ex, "GET");
            Exchanges.respond(ex, 200, history(path.substring(USERS.length(), path.length() - HISTORY.length())));
            return false;
        }
        switch (path == null ? "" : path) {
            case "/recommend":
                if (!method.equals("POST")) throw Exchanges.wrongMethod(ex, "POST");
                Exchanges.respond(ex, 200, recommend(ex));
                return false;
            case "/events":
                answerLater(ex, events.accept(ex));
                return true;
            case "/health":
                if (!method.equals("GET")) throw Exchanges.wrongMethod(ex, "GET");
                Exchanges.respond(ex, 200, Map.of("status", "ok"));
                return false;
            case "/info":
                if (!method.equals("GET")) throw Exchanges.wrongMethod(ex, "GET");
                Exchanges.respond(ex, 200, info());
                return false;
            default:
                throw new ApiException(404, "no endpoint " + RecommendRequest.clip(path) + " (endpoints: POST /recommend,"
                        + " POST /events, GET /users/{id}/history, GET /health, GET /info)");
        }
    }

    /** {@code GET /users/{id}/history}; the id is percent-encoded in the path. */
    private Map<String, Object> history(String rawId) {
        String user;
        try {
            user = URLDecoder.decode(rawId.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "bad percent-encoding in the user id " + RecommendRequest.clip(rawId));
        }
        ServingModel m = live.acquire();
        try {
            LiveHistories.History h = m.histories.history(user);
            if (h == null) throw new ApiException(404, "unknown user \"" + RecommendRequest.clip(user) + "\": not in the model and no events");
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("user", user);
            out.put("history", h.items());
            out.put("stored", h.stored());
            out.put("events", h.items().size() - h.stored());
            out.put("waiting_for_next_model", h.waiting());
            return out;
        } finally {
            m.release();
        }
    }

    private Map<String, Object> recommend(HttpExchange ex) {
        ServingModel model;
        try {
            model = live.acquire();
        } catch (RejectedExecutionException stopping) {
            throw new ApiException(503, "server is shutting down");
        }
        try {
            return recommend(ex, model);
        } finally {
            model.release();
        }
    }

    /** Answers on {@code model} from start to end, even if another model is swapped in meanwhile. */
    private Map<String, Object> recommend(HttpExchange ex, ServingModel model) {
        Recommender recommender = model.recommender;
        int numItems = recommender.model().config().numItems();
        CompletableFuture<List<Recommendation>> result;
        RecommendRequest req;
        int[] h;
        model.batcher.announce();
        try {
            req = RecommendRequest.parse(Exchanges.readBody(ex, MAX_BODY_BYTES));
            List<Integer> history = new ArrayList<>();
            if (req.user() != null) {
                int[] stored = model.histories.scoringHistory(req.user());
                if (stored == null && (req.history() == null || req.history().isEmpty())) {
                    throw new ApiException(404, "unknown user \"" + RecommendRequest.clip(req.user()) + "\"; give a \"history\" to recommend for a new user");
                }
                if (stored != null) for (int item : stored) history.add(item);
            }
            if (req.history() != null) {
                List<String> unknown = recommender.unknownItems(req.history());
                if (!unknown.isEmpty()) {
                    throw new ApiException(400, unknown.size() + " history item id(s) unknown to the model: "
                            + abbreviate(unknown), Map.of("unknown_items", unknown));
                }
                for (String id : req.history()) history.add(recommender.item(id));
            }
            if (history.isEmpty()) {
                if (req.history() == null) throw new ApiException(404, "user \"" + RecommendRequest.clip(req.user()) + "\" has no stored history; give a \"history\"");
                throw new ApiException(400, "\"history\" is empty: give at least one item id");
            }
            Set<Integer> exclude = new LinkedHashSet<>();
            if (req.excludeSeen()) exclude.addAll(history);
            for (String id : req.exclude()) {
                int item = recommender.item(id);
                if (item > 0) exclude.add(item);
            }
            h = history.stream().mapToInt(Integer::intValue).toArray();
            // A user's own live history is keyed: their carried state advances by the events since their last request
            // (one step each) instead of re-reading the window. A request that adds items is a one-off: unkeyed.
            String key = req.history() == null ? req.user() : null;
            result = model.batcher.submit(key, h, Math.min(req.k(), numItems), exclude);
        } catch (RejectedExecutionException closed) {
            throw new ApiException(503, "server is shutting down");
        } finally {
            model.batcher.withdraw();
        }
        List<Recommendation> top;
        try {
            top = result.get(QUERY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ApiException(503, "scoring took longer than " + QUERY_TIMEOUT_SECONDS + " s; the server is overloaded");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "server is shutting down");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RejectedExecutionException) throw new ApiException(503, "server is shutting down");
            throw new IllegalStateException("scoring failed: " + e.getCause(), e.getCause());
        }
        // Occlusion runs on this worker thread; the Recommender's lock keeps it apart from the batcher's scoring.
        List<Explanation> why = req.explain() && !top.isEmpty()
                ? recommender.explain(h, top, req.explainTop(), Recommender.EXPLAIN_POSITIONS) : null;
        List<Map<String, Object>> items = new ArrayList<>(top.size());
        for (int i = 0; i < top.size(); i++) {
            Recommendation r = top.get(i);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", r.itemId());
            item.put("score", Float.isFinite(r.score()) ? r.score() : null); // JSON has no NaN
            if (!options.titles.isEmpty()) item.put("title", options.titles.get(r.itemId()));
            if (why != null) item.put("because", because(why.get(i)));
            items.add(item);
        }
        return Map.of("items", items);
    }

    /** An explanation as JSON: per contributing history item, its id, its history position and the score drop. */
    private List<Map<String, Object>> because(Explanation e) {
        List<Map<String, Object>> out = new ArrayList<>(e.contributions().size());
        for (Explanation.Contribution c : e.contributions()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", c.itemId());
            m.put("position", c.position());
            m.put("drop", c.drop());
            if (!options.titles.isEmpty()) m.put("title", options.titles.get(c.itemId()));
            out.add(m);
        }
        return out;
    }

    private static String abbreviate(List<String> ids) {
        List<String> shown = ids.size() <= 10 ? ids : ids.subList(0, 10);
        StringBuilder sb = new StringBuilder();
        for (String id : shown) {
            if (sb.length() > 0) sb.append(", ");
            sb.append(RecommendRequest.clip(id));
        }
        return ids.size() > shown.size() ? sb + ", ... (" + ids.size() + " in all)" : sb.toString();
    }

    // ---------------------------------------------------------------- info

    private Map<String, Object> info() {
        ServingModel current = live.peek();
        Recommender recommender = current.recommender;
        ModelConfig c = recommender.model().config();
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("items", c.numItems());
        model.put("dim", c.embeddingDim());
        model.put("hidden", c.hiddenDim());
        model.put("layers", c.layers());
        model.put("max_len", c.maxLen());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", model);
        m.put("items", c.numItems());
        m.put("users", recommender.model().userIds().size());
        m.put("backend", Map.of("name", recommender.backendName(), "description", recommender.backendDescription()));
        m.put("model_file", current.file);
        m.put("model_loaded_at", current.loadedAt.toString());
        m.put("lineage", new TreeMap<>(current.lineage.into(Map.of())));
        m.put("titles", options.titles.size());
        Map<String, Object> batching = new LinkedHashMap<>();
        batching.put("max_batch", options.maxBatch);
        batching.put("max_wait_ms", options.maxWait.toNanos() / 1e6);
        batching.put("workers", options.workers);
        batching.put("queue", options.queueCapacity);
        m.put("batching", batching);
        m.put("state_cache", recommender.stateCacheStats());
        Map<String, Object> liveInfo = new LinkedHashMap<>();
        liveInfo.put("journal", options.journalDir == null ? null : options.journalDir.toString());
        liveInfo.put("token_required", options.token != null);
        liveInfo.put("journal_position", live.applied());
        liveInfo.putAll(new TreeMap<>(current.histories.stats()));
        liveInfo.putAll(events.stats());
        m.put("live", liveInfo);
        if (reloader != null) m.put("reloads", reloader.stats());
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("requests", requests.get());
        stats.putAll(live.stats());
        m.put("stats", stats);
        return m;
    }

    // ---------------------------------------------------------------- options

    /** Server options; every setter checks its argument. */
    public static final class Builder {
        /** The state cache's default bound: about 200,000 users of ML-100K's default model (1.3 KB a state). */
        public static final long DEFAULT_STATE_CACHE_MB = 256;

        private final Recommender recommender;
        private String host = "127.0.0.1";
        private int port = 8080;
        private int workers = 64;
        private int queueCapacity = 256;
        private int maxBatch = 64;
        private Duration maxWait = Duration.ofMillis(2);
        private long stateCacheBytes = DEFAULT_STATE_CACHE_MB << 20;
        private Map<String, String> titles = Map.of();
        private String modelFile;
        private boolean ownsRecommender;
        private Path journalDir;
        private BearerToken token;
        private Path reloadFile;
        private ModelLoader loader;
        private boolean watch;

        private Builder(Recommender recommender) {
            if (recommender == null) throw new IllegalArgumentException("recommender is null");
            this.recommender = recommender;
        }

        /** Address to bind (default 127.0.0.1: loopback only; use 0.0.0.0 to serve other machines). */
        public Builder host(String host) {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("host is empty");
            this.host = host;
            return this;
        }

        /** Port to bind, 0 for an ephemeral port (default 8080). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
            this.port = port;
            return this;
        }

        /** Request threads (default 64; at least maxBatch so batches can fill). */
        public Builder workers(int workers) {
            if (workers < 1) throw new IllegalArgumentException("workers must be positive, got " + workers);
            this.workers = workers;
            return this;
        }

        /** Requests that may wait for a worker before the server answers 503 (default 256). */
        public Builder queueCapacity(int capacity) {
            if (capacity < 1) throw new IllegalArgumentException("queue capacity must be positive, got " + capacity);
            this.queueCapacity = capacity;
            return this;
        }

        /** Most queries scored in one backend call (default 64). */
        public Builder maxBatch(int maxBatch) {
            if (maxBatch < 1) throw new IllegalArgumentException("max batch must be positive, got " + maxBatch);
            this.maxBatch = maxBatch;
            return this;
        }

        /** Longest wait for more queries once one is ready, while others are arriving (default 2 ms). */
        public Builder maxWait(Duration maxWait) {
            if (maxWait == null || maxWait.isNegative()) throw new IllegalArgumentException("max wait must be >= 0");
            this.maxWait = maxWait;
            return this;
        }

        /**
         * Bound on the carried LSTM states of users asked for by {@code user} (default {@value #DEFAULT_STATE_CACHE_MB}
         * MiB; least recently used evicted, recomputed from the history on their next request; 0 keeps none).
         */
        public Builder stateCacheBytes(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("state cache must be >= 0 bytes, got " + bytes);
            this.stateCacheBytes = bytes;
            return this;
        }

        /** External item id to title; when non-empty, each recommended item carries its {@code title}. */
        public Builder titles(Map<String, String> titles) {
            this.titles = Map.copyOf(titles);
            return this;
        }

        /** The model file's name, shown by {@code /info}. */
        public Builder modelFile(String modelFile) {
            this.modelFile = modelFile;
            return this;
        }

        /** The server closes the recommender it was built with when it stops or swaps that model out (default: not). */
        public Builder ownsRecommender(boolean owns) {
            this.ownsRecommender = owns;
            return this;
        }

        /**
         * Accepts {@code POST /events} into an event journal in {@code dir} (created if missing; one server per
         * directory), and replays its events after the model's lineage position into the live histories at start.
         */
        public Builder journal(Path dir) {
            this.journalDir = dir;
            return this;
        }

        /** {@code POST /events} requires {@code Authorization: Bearer <token>} (default: no token). */
        public Builder token(BearerToken token) {
            this.token = token;
            return this;
        }

        /**
         * The model's file and how to load it again: enables {@link RecommendationServer#reloadModel} (and
         * {@link #watch}). Also the file {@code /info} names, unless {@link #modelFile} says otherwise.
         */
        public Builder reloadFrom(Path file, ModelLoader loader) {
            if (file == null || loader == null) throw new IllegalArgumentException("reloadFrom needs a file and a loader");
            this.reloadFile = file;
            this.loader = loader;
            if (modelFile == null) modelFile = file.toString();
            return this;
        }

        /** Reload the model whenever its file is replaced (needs {@link #reloadFrom}). */
        public Builder watch(boolean watch) {
            this.watch = watch;
            return this;
        }

        /** Binds the port (not yet serving): {@link RecommendationServer#port()} is known from here. */
        public RecommendationServer build() throws IOException {
            if (watch && loader == null) throw new IllegalStateException("watch needs reloadFrom (the file to reload)");
            return new RecommendationServer(this);
        }
    }
}
