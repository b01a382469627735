package dev.lstmrec.serve;

// A closed-loop HTTP load generator for the recommendation server (what `lstmrec serve-load` runs): C client
// threads each send one request, wait for the answer, and send the next, for a duration or a request count.
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Measures throughput and latency of {@code POST /recommend} under a fixed number of concurrent clients. */
public final class LoadTest {
    private LoadTest() {}

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
     */
    public record Result(int concurrency, long requests, long errors, double seconds, double p50Millis,
                         double p99Millis, double maxMillis, double meanBatch, String firstError) {
        /** Requests per second. */
        public double throughput() {
            return seconds > 0 ? requests / seconds : 0;
        }
    }

    /**
     * Runs {@code concurrency} clients against {@code base}/recommend until {@code duration} has passed or
     * {@code maxRequests} (if positive) were sent, cycling through {@code bodies}.
     *
     * @throws IllegalArgumentException when the host is not a loopback address
     */
    public static Result run(URI base, List<String> bodies, int concurrency, Duration duration, long maxRequests)
            throws IOException, InterruptedException {
        if (concurrency < 1) throw new IllegalArgumentException("concurrency must be positive, got " + concurrency);
        if (bodies.isEmpty()) throw new IllegalArgumentException("no request bodies");
        checkLoopback(base);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        URI target = base.resolve("/recommend");
        long[] before = stats(client, base);
        AtomicLong issued = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        AtomicReference<String> firstError = new AtomicReference<>();
        long[][] latencies = new long[concurrency][];
        int[] counts = new int[concurrency];
        long start = System.nanoTime(), end = start + duration.toNanos();
        Thread[] threads = new Thread[concurrency];
        for (int c = 0; c < concurrency; c++) {
            int id = c;
            threads[c] = new Thread(() -> {
                long[] lat = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    long ticket = issued.getAndIncrement();
                    if (maxRequests > 0 && ticket >= maxRequests) break;
                    HttpRequest req = HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(bodies.get((int) (ticket % bodies.size())))).build();
                    long t0 = System.nanoTime();
                    String error = null;
                    try {
                        HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                        if (r.statusCode() != 200) error = "HTTP " + r.statusCode() + ": " + r.body();
                    } catch (IOException e) {
                        error = e.toString();
                    } catch (InterruptedException e) {
                        break;
                    }
                    if (n == lat.length) lat = Arrays.copyOf(lat, n * 2);
                    lat[n++] = System.nanoTime() - t0;
                    if (error != null) {
                        errors.incrementAndGet();
                        firstError.compareAndSet(null, error);
                    }
                }
                latencies[id] = lat;
                counts[id] = n;
            }, "lstmrec-load-" + c);
            threads[c].setDaemon(true);
            threads[c].start();
        }
        for (Thread t : threads) t.join();
        double seconds = (System.nanoTime() - start) / 1e9;
        long[] after = stats(client, base);
        int total = 0;
        for (int n : counts) total += n;
        long[] all = new long[total];
        for (int c = 0, at = 0; c < concurrency; at += counts[c], c++) System.arraycopy(latencies[c], 0, all, at, counts[c]);
        Arrays.sort(all);
        double meanBatch = before == null || after == null || after[1] == before[1] ? Double.NaN
                : (double) (after[0] - before[0]) / (after[1] - before[1]);
        return new Result(concurrency, total, errors.get(), seconds, percentile(all, 0.50), percentile(all, 0.99),
                total == 0 ? 0 : all[total - 1] / 1e6, meanBatch, firstError.get());
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
