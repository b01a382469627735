package dev.lstmrec.serve;

// A closed-loop HTTP load generator for the recommendation server (what `lstmrec serve-load` runs): C clients (keep-alive
// connections driven by one selector thread, LoadDriver) each send one request, wait for the answer, and send the next,
// for a duration or a request count; the requests are recommendations, events, or a mix. Latencies are kept per path and per second (a hot swap's second).
// Loopback only, so it cannot be pointed at someone else's service. Checked by LoadTestTest against a live server.

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Measures throughput and latency of the server under a fixed number of concurrent clients: {@code POST /recommend}
 * only, {@code POST /events} only (single events or batches), or a mix of both ({@link Workload}).
 */
public final class LoadTest {
    private LoadTest() {}

    /** One request to send: its path, body, and how many events it carries (0 for a recommendation). */
    public record Request(String path, String body, int events) {}

    /** The request for each ticket (0, 1, 2, ... across all clients). Called from every client thread at once. */
    @FunctionalInterface
    public interface Workload {
        Request request(long ticket);
    }

    /**
     * Latencies of one kind of request (one path).
     *
     * @param requests answered requests (successes and errors)
     * @param errors   answers other than 200, and failed connections
     * @param events   events acknowledged (200 answers to requests carrying events)
     */
    public record Latency(long requests, long errors, long events, double p50Millis, double p99Millis, double maxMillis) {}

    /**
     * One load level.
     *
     * @param concurrency clients sending at once
     * @param requests    requests answered (successes and errors)
     * @param errors      answers other than 200, and failed connections
     * @param seconds     wall time from the first request to the last answer
     * @param p50Millis   median latency of all requests
     * @param p99Millis   99th percentile latency
     * @param maxMillis   slowest request
     * @param meanBatch   queries per backend call on the server during the run (from {@code /info}), NaN if unknown
     * @param firstError  the first error seen, or null
     * @param events      events acknowledged
     * @param byPath      the same figures per path (e.g. {@code /recommend}, {@code /events})
     * @param perSecond   the same figures for each second of the run (by when the answer came), in order
     */
    public record Result(int concurrency, long requests, long errors, double seconds, double p50Millis,
                         double p99Millis, double maxMillis, double meanBatch, String firstError, long events,
                         Map<String, Latency> byPath, List<Latency> perSecond) {
        /** Requests per second. */
        public double throughput() {
            return seconds > 0 ? requests / seconds : 0;
        }

        /** Acknowledged events per second. */
        public double eventThroughput() {
            return seconds > 0 ? events / seconds : 0;
        }
    }

    /** {@link #run(URI, Workload, String, int, Duration, long)} of {@code POST /recommend} cycling through {@code bodies}. */
    public static Result run(URI base, List<String> bodies, int concurrency, Duration duration, long maxRequests)
            throws IOException, InterruptedException {
        if (bodies.isEmpty()) throw new IllegalArgumentException("no request bodies");
        return run(base, recommendations(bodies), null, concurrency, duration, maxRequests);
    }

    /** Requests that cycle through {@code bodies} on {@code /recommend}. */
    public static Workload recommendations(List<String> bodies) {
        List<String> copy = List.copyOf(bodies);
        return t -> new Request("/recommend", copy.get((int) (t % copy.size())), 0);
    }

    /**
     * {@code POST /events} requests of {@code batch} events each (a single event as {@code {"user", "item"}}, more as
     * {@code {"events": [...]}}), users and items drawn at random; a pool of bodies is built up front so the clients
     * spend their time sending.
     */
    public static Workload events(List<String> users, List<String> items, int batch, long seed) {
        if (users.isEmpty() || items.isEmpty()) throw new IllegalArgumentException("no users or items to make events of");
        if (batch < 1) throw new IllegalArgumentException("batch must be positive, got " + batch);
        SplittableRandom rnd = new SplittableRandom(seed);
        int pool = Math.max(16, Math.min(1024, 200_000 / batch));
        List<String> bodies = new ArrayList<>(pool);
        for (int b = 0; b < pool; b++) {
            List<Map<String, Object>> events = new ArrayList<>(batch);
            for (int e = 0; e < batch; e++) {
                events.add(Map.of("user", users.get(rnd.nextInt(users.size())), "item", items.get(rnd.nextInt(items.size()))));
            }
            bodies.add(JsonCodec.writeString(batch == 1 ? events.get(0) : Map.of("events", events)));
        }
        return t -> new Request("/events", bodies.get((int) (t % bodies.size())), batch);
    }

    /** Every {@code every}-th request from {@code other}, the rest from {@code main} (e.g. 1 in 5: 20% events). */
    public static Workload mix(Workload main, Workload other, int every) {
        if (every < 1) throw new IllegalArgumentException("every must be positive, got " + every);
        return t -> t % every == every - 1 ? other.request(t / every) : main.request(t - t / every);
    }

    /**
     * Runs {@code concurrency} clients against {@code base} until {@code duration} has passed or {@code maxRequests}
     * (if positive) were sent, each taking the next ticket's request from {@code workload}.
     *
     * @param token sent as {@code Authorization: Bearer <token>} when not null (servers with --token-file)
     * @throws IllegalArgumentException when the host is not a loopback address
     */
    public static Result run(URI base, Workload workload, String token, int concurrency, Duration duration, long maxRequests)
            throws IOException, InterruptedException {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be positive, got " + concurrency);
        checkLoopback(base);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        long[] before = stats(client, base);
        AtomicLong issued = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        Samples[] samples = new Samples[concurrency];
        for (int c = 0; c < concurrency; c++) samples[c] = new Samples();
        long start = System.nanoTime(), end = start + duration.toNanos();
        LoadDriver.Tickets tickets = () -> {
            if (System.nanoTime() >= end) return -1;
            long ticket = issued.getAndIncrement();
            return maxRequests > 0 && ticket >= maxRequests ? -1 : ticket;
        };
        new LoadDriver(base, token).run(concurrency, workload, tickets, start, (c, nanos, when, path, events, error) -> {
            samples[c].add(nanos, when, path, events);
            if (error != null) firstError.compareAndSet(null, error);
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = stats(client, base);
        Samples all = Samples.concat(samples);
        double meanBatch = before == null || after == null || after[1] == before[1] ? Double.NaN
                : (double) (after[0] - before[0]) / (after[1] - before[1]);
        Latency total = all.latency(i -> true);
        Map<String, Latency> byPath = new TreeMap<>();
        for (int i = 0; i < all.n; i++) byPath.putIfAbsent(all.path[i], null);
        for (String p : new ArrayList<>(byPath.keySet())) byPath.put(p, all.latency(i -> all.path[i].equals(p)));
        List<Latency> perSecond = new ArrayList<>();
        for (int sec = 0; sec < Math.ceil(seconds); sec++) {
            long lo = sec * 1_000_000_000L, hi = lo + 1_000_000_000L;
            perSecond.add(all.latency(i -> all.at[i] >= lo && all.at[i] < hi));
        }
        return new Result(concurrency, total.requests(), total.errors(), seconds, total.p50Millis(), total.p99Millis(),
                total.maxMillis(), meanBatch, firstError.get(), total.events(), byPath, perSecond);
    }

    /** One client's answers: latency, when it came (since the start), which path, events acknowledged or -1 (error). */
    private static final class Samples {
        long[] latency = new long[1024];
        long[] at = new long[1024];
        String[] path = new String[1024];
        int[] events = new int[1024];
        int n;

        void add(long nanos, long when, String requestPath, int acknowledged) {
            if (n == latency.length) {
                latency = Arrays.copyOf(latency, 2 * n);
                at = Arrays.copyOf(at, 2 * n);
                path = Arrays.copyOf(path, 2 * n);
                events = Arrays.copyOf(events, 2 * n);
            }
            latency[n] = nanos;
            at[n] = when;
            path[n] = requestPath;
            events[n++] = acknowledged;
        }

        static Samples concat(Samples[] parts) {
            Samples all = new Samples();
            for (Samples s : parts) for (int i = 0; i < s.n; i++) all.add(s.latency[i], s.at[i], s.path[i], s.events[i]);
            return all;
        }

        Latency latency(java.util.function.IntPredicate which) {
            long[] picked = new long[n];
            int m = 0;
            long errors = 0, acknowledged = 0;
            for (int i = 0; i < n; i++) {
                if (!which.test(i)) continue;
                picked[m++] = latency[i];
                if (events[i] < 0) errors++;
                else acknowledged += events[i];
            }
            long[] sorted = Arrays.copyOf(picked, m);
            Arrays.sort(sorted);
            return new Latency(m, errors, acknowledged, percentile(sorted, 0.50), percentile(sorted, 0.99),
                    m == 0 ? 0 : sorted[m - 1] / 1e6);
        }
    }

    /** Nearest-rank percentile in milliseconds. */
    static double percentile(long[] sortedNanos, double p) {
        if (sortedNanos.length == 0) return 0;
        int rank = (int) Math.ceil(p * sortedNanos.length);
        return sortedNanos[Math.max(0, rank - 1)] / 1e6;
    }

    private static void checkLoopback(URI base) throws IOException {
        if (!"http".equals(base.getScheme()) || base.getHost() == null) {
            throw new IllegalArgumentException("expected a URL like http://127.0.0.1:8080, got " + base);
        }
        InetAddress address = InetAddress.getByName(base.getHost());
        if (!address.isLoopbackAddress()) {
            throw new IllegalArgumentException("load tests only run against this machine (127.0.0.1, ::1, localhost), not " + base.getHost());
        }
    }

    /** The server's {queries, batches} counters, or null when /info is not available. */
    private static long[] stats(HttpClient client, URI base) throws InterruptedException {
        try {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/info")).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            if (r.statusCode() != 200) return null;
            JsonNode stats = JsonCodec.parse(r.body()).path("stats");
            JsonNode q = stats.path("queries"), b = stats.path("batches");
            return q.isIntegralNumber() && b.isIntegralNumber() ? new long[] {q.longValue(), b.longValue()} : null;
        } catch (IOException | JsonCodec.MalformedJson | RuntimeException e) {
            return null;
        }
    }

    /** Request bodies {@code {"history": [...], "k": k}} from histories of external item ids (empty ones skipped). */
    public static List<String> historyBodies(List<List<String>> histories, int k) {
        List<String> out = new ArrayList<>(histories.size());
        for (List<String> h : histories) if (!h.isEmpty()) out.add(JsonCodec.writeString(Map.of("history", h, "k", k)));
        return out;
    }

    /** Request bodies {@code {"user": id, "k": k}}, one per external user id. */
    public static List<String> userBodies(List<String> users, int k) {
        List<String> out = new ArrayList<>(users.size());
        for (String u : users) out.add(JsonCodec.writeString(Map.of("user", u, "k", k)));
        return out;
    }
}
