package dev.lstmrec.serve;

// The recommendation HTTP server, on the JDK's built-in com.sun.net.httpserver: it is in every JDK 17+ and fast
// enough for a model server whose cost is the model, not the HTTP layer (see LoadTest). Request threads parse
// (Jackson, strictly: JsonCodec) and validate; the engine's Batcher scores on one thread; every failure is a JSON
// error and no input can take the server down. Checked by RecommendationServerTest over real loopback HTTP:
// results equal Recommender.recommend, batched equals one by one, every error status; and by ServerFuzzTest.

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.lstmrec.engine.api.Batcher;
import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.model.ModelConfig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
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
 *   <li>{@code GET /health}: {@code {"status": "ok"}}. {@code GET /info}: the model configuration, item and user
 *       counts, backend, model file, batching settings and counters.</li>
 * </ul>
 * Errors are {@code {"error": "message"}}: 400 bad request (malformed JSON, wrong types, unknown fields, k out of
 * range, unknown history items listed in {@code "unknown_items"}), 404 unknown path or unknown user without history,
 * 405 wrong method (with {@code Allow}), 413 body over 64 KiB, 503 overloaded or shutting down, 500 for bugs
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
    /** Largest accepted request body. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    private static final long QUERY_TIMEOUT_SECONDS = 30;
    private static final long DRAIN_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(RecommendationServer.class.getName());

    private enum Admission { NORMAL, OVERLOADED, STOPPING }

    /** The JDK server's TCP_NODELAY switch (read once per JVM, when the first HttpServer is created). */
    public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";
    private static final AtomicBoolean NODELAY_WARNED = new AtomicBoolean();

    private static final ThreadLocal<Admission> ADMISSION = ThreadLocal.withInitial(() -> Admission.NORMAL);

    private final Recommender recommender;
    private final Builder options;
    private final Map<String, Object> info;
    private final int numItems;
    private final Batcher batcher;
    private final ThreadPoolExecutor workers;
    private final HttpServer http;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong requests = new AtomicLong();
    private volatile boolean stopping;
    private boolean started;
    private boolean stopped;

    private RecommendationServer(Builder b) throws IOException {
        this.recommender = b.recommender;
        this.options = b;
        this.numItems = recommender.model().config().numItems();
        this.info = staticInfo();
        if (!"true".equals(System.getProperty(NODELAY_PROPERTY)) && NODELAY_WARNED.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "-D" + NODELAY_PROPERTY + "=true is not set: keep-alive answers may wait"
                    + " about 40 ms each for a delayed ACK (see RecommendationServer's documentation)");
        }
        this.batcher = new Batcher(recommender, b.maxBatch, b.maxWait);
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
            batcher.close();
            workers.shutdownNow();
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

    /** The bound port (the ephemeral one when built with port 0). */
    public int port() {
        return http.getAddress().getPort();
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
            batcher.close();
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
        try {
            Admission admission = ADMISSION.get();
            if (admission == Admission.OVERLOADED) {
                throw new ApiException(503, "server overloaded: " + options.queueCapacity + " requests already queued; retry later");
            }
            if (admission == Admission.STOPPING) throw new ApiException(503, "server is shutting down");
            route(ex);
        } catch (ApiException e) {
            respond(ex, e.status(), e.body());
        } catch (Throwable t) {
            LOG.log(System.Logger.Level.ERROR, "bug while answering " + ex.getRequestMethod() + " " + ex.getRequestURI(), t);
            respond(ex, 500, Map.of("error", "internal server error (" + t.getClass().getSimpleName() + "); see the server log"));
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) {
        String path = ex.getRequestURI().getRawPath();
        String method = ex.getRequestMethod();
        switch (path == null ? "" : path) {
            case "/recommend":
                if (!method.equals("POST")) throw wrongMethod(ex, "POST");
                respond(ex, 200, recommend(ex));
                break;
            case "/health":
                if (!method.equals("GET")) throw wrongMethod(ex, "GET");
                respond(ex, 200, Map.of("status", "ok"));
                break;
            case "/info":
                if (!method.equals("GET")) throw wrongMethod(ex, "GET");
                respond(ex, 200, info());
                break;
            default:
                throw new ApiException(404, "no endpoint " + RecommendRequest.clip(path) + " (endpoints: POST /recommend, GET /health, GET /info)");
        }
    }

    private static ApiException wrongMethod(HttpExchange ex, String allowed) {
        ex.getResponseHeaders().set("Allow", allowed);
        String method = ex.getRequestMethod();
        return new ApiException(405, "method " + (method.length() > 20 ? method.substring(0, 20) + "..." : method)
                + " not allowed on " + RecommendRequest.clip(ex.getRequestURI().getRawPath()) + "; use " + allowed);
    }

    private Map<String, Object> recommend(HttpExchange ex) {
        CompletableFuture<List<Recommendation>> result;
        batcher.announce();
        try {
            RecommendRequest req = RecommendRequest.parse(readBody(ex));
            List<Integer> history = new ArrayList<>();
            if (req.user() != null) {
                int[] stored = recommender.userHistory(req.user());
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
            int[] h = history.stream().mapToInt(Integer::intValue).toArray();
            result = batcher.submit(h, Math.min(req.k(), numItems), exclude);
        } catch (RejectedExecutionException closed) {
            throw new ApiException(503, "server is shutting down");
        } finally {
            batcher.withdraw();
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
        List<Map<String, Object>> items = new ArrayList<>(top.size());
        for (Recommendation r : top) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("id", r.itemId());
            item.put("score", Float.isFinite(r.score()) ? r.score() : null); // JSON has no NaN
            if (!options.titles.isEmpty()) item.put("title", options.titles.get(r.itemId()));
            items.add(item);
        }
        return Map.of("items", items);
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

    /** The body as UTF-8 text; 413 past {@link #MAX_BODY_BYTES}, 400 when it is not UTF-8 or cannot be read. */
    private static String readBody(HttpExchange ex) {
        long declared = -1;
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -1;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            if (declared > MAX_BODY_BYTES) throw tooLarge(ex, in, declared - MAX_BODY_BYTES <= DRAIN_BYTES);
            byte[] chunk = new byte[8192];
            for (int r; (r = in.read(chunk)) > 0; ) {
                buf.write(chunk, 0, r);
                if (buf.size() > MAX_BODY_BYTES) throw tooLarge(ex, in, true);
            }
        } catch (IOException e) {
            throw new ApiException(400, "could not read the request body: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "request body is not valid UTF-8");
        }
    }

    /**
     * 413, after reading and dropping a moderate excess: closing a socket with unread input resets the connection,
     * and the client would see "connection reset" instead of the 413.
     */
    private static ApiException tooLarge(HttpExchange ex, InputStream in, boolean drain) throws IOException {
        if (drain) {
            byte[] sink = new byte[8192];
            long left = DRAIN_BYTES;
            for (int r; left > 0 && (r = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= r;
        }
        ex.getResponseHeaders().set("Connection", "close");
        return new ApiException(413, "request body larger than " + MAX_BODY_BYTES + " bytes");
    }

    private static void respond(HttpExchange ex, int status, Object body) {
        byte[] bytes = JsonCodec.write(body);
        try {
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException | IllegalStateException e) { // client gone, or headers already sent: nothing to answer
            LOG.log(System.Logger.Level.DEBUG, "could not send the response", e);
        }
    }

    // ---------------------------------------------------------------- info

    private Map<String, Object> staticInfo() {
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
        m.put("model_file", options.modelFile);
        m.put("titles", options.titles.size());
        Map<String, Object> batching = new LinkedHashMap<>();
        batching.put("max_batch", options.maxBatch);
        batching.put("max_wait_ms", options.maxWait.toNanos() / 1e6);
        batching.put("workers", options.workers);
        batching.put("queue", options.queueCapacity);
        m.put("batching", batching);
        return m;
    }

    private Map<String, Object> info() {
        Map<String, Object> m = new LinkedHashMap<>(info);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("requests", requests.get());
        stats.put("batches", batcher.batches());
        stats.put("queries", batcher.queries());
        m.put("stats", stats);
        return m;
    }

    // ---------------------------------------------------------------- options

    /** Server options; every setter checks its argument. */
    public static final class Builder {
        private final Recommender recommender;
        private String host = "127.0.0.1";
        private int port = 8080;
        private int workers = 64;
        private int queueCapacity = 256;
        private int maxBatch = 64;
        private Duration maxWait = Duration.ofMillis(2);
        private Map<String, String> titles = Map.of();
        private String modelFile;

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

        /** Binds the port (not yet serving): {@link RecommendationServer#port()} is known from here. */
        public RecommendationServer build() throws IOException {
            return new RecommendationServer(this);
        }
    }
}
