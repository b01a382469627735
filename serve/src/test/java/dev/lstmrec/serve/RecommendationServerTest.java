package dev.lstmrec.serve;

// RecommendationServer over real loopback HTTP (ephemeral ports): answers equal Recommender.recommend on a separate
// backend; concurrent answers equal one-by-one answers and are batched; every error status with its JSON body;
// overload (503) and graceful stop made deterministic with half-sent raw requests.

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.TinyModel;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommendationServerTest {
    private static SavedModel model;
    private static Recommender reference;
    private static RecommendationServer server;
    private static Http http;

    @BeforeAll
    static void start() throws IOException {
        model = TinyModel.get();
        reference = new Recommender(model, new ScalarBackend());
        server = RecommendationServer.builder(new Recommender(model, new ScalarBackend()))
                .port(0).titles(TinyModel.titles()).modelFile("tiny.lstmrec").build();
        server.start();
        http = new Http(server.uri());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static int[] internal(List<String> ids) {
        return ids.stream().mapToInt(reference::item).toArray();
    }

    /** The reference answer: Recommender.recommend on its own backend, history items and {@code exclude} dropped. */
    static List<Recommendation> expected(int[] history, int k, Set<Integer> exclude) {
        return reference.recommend(history, Math.min(k, TinyModel.ITEMS), true, exclude);
    }

    static String body(String user, List<String> history, Integer k) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (user != null) m.put("user", user);
        if (history != null) m.put("history", history);
        if (k != null) m.put("k", k);
        return JsonCodec.writeString(m);
    }

    @SuppressWarnings("unchecked")
    static void assertItems(List<Recommendation> expected, Http.Answer a, boolean titles) {
        assertEquals(200, a.status(), a.text());
        assertTrue(a.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        List<Map<String, Object>> items = (List<Map<String, Object>>) a.json().get("items");
        assertEquals(expected.size(), items.size(), a.text());
        for (int i = 0; i < items.size(); i++) {
            Map<String, Object> it = items.get(i);
            Recommendation r = expected.get(i);
            assertEquals(r.itemId(), it.get("id"), "rank " + i);
            float score = ((Number) it.get("score")).floatValue();
            assertTrue(Math.abs(score - r.score()) <= Math.ulp(r.score()), "rank " + i + " score " + score + " vs " + r.score());
            if (titles) assertEquals(TinyModel.titles().get(r.itemId()), it.get("title"));
            else assertFalse(it.containsKey("title"));
        }
    }

    @Test
    void healthAndInfo() {
        Http.Answer h = http.get("/health");
        assertEquals(200, h.status());
        assertEquals(Map.of("status", "ok"), h.json());
        Map<String, Object> info = http.get("/info").json();
        assertEquals(Map.of("items", 30L, "dim", 8L, "hidden", 12L, "layers", 2L, "max_len", 8L), info.get("model"));
        assertEquals(30L, info.get("items"));
        assertEquals((long) TinyModel.USERS, info.get("users"));
        assertEquals("tiny.lstmrec", info.get("model_file"));
        assertEquals("scalar", ((Map<?, ?>) info.get("backend")).get("name"));
        assertTrue(((String) ((Map<?, ?>) info.get("backend")).get("description")).length() > 0);
        assertTrue(((Map<?, ?>) info.get("stats")).containsKey("batches"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void explainedContributionsAreTheScoreDropsOfLeavingEachItemOut() {
        // Histories shorter than max-len (8): leaving one item out is then the window without that item, so each drop
        // can be recomputed through Recommender.recommend over the shorter history (all items ranked, none excluded).
        List<String> history = List.of(TinyModel.itemId(4), TinyModel.itemId(5), TinyModel.itemId(9), TinyModel.itemId(4),
                TinyModel.itemId(17), TinyModel.itemId(2));
        Map<String, Object> req = new LinkedHashMap<>(Map.of("history", history, "k", 4, "explain", true, "explain_top", 2));
        Http.Answer a = http.post("/recommend", JsonCodec.writeString(req));
        assertEquals(200, a.status(), a.text());
        List<Map<String, Object>> items = (List<Map<String, Object>>) a.json().get("items");
        int[] h = internal(history);
        int listed = 0;
        for (Map<String, Object> it : items) {
            float full = ((Number) it.get("score")).floatValue();
            List<Map<String, Object>> because = (List<Map<String, Object>>) it.get("because");
            assertTrue(because.size() <= 2, because.toString());
            float previous = Float.POSITIVE_INFINITY;
            for (Map<String, Object> c : because) {
                int pos = ((Number) c.get("position")).intValue();
                assertEquals(history.get(pos), c.get("id"));
                float drop = ((Number) c.get("drop")).floatValue();
                assertTrue(drop > 0 && drop <= previous, because.toString());
                previous = drop;
                int[] without = new int[h.length - 1];
                for (int i = 0, j = 0; i < h.length; i++) if (i != pos) without[j++] = h[i];
                float occluded = Float.NaN;
                for (Recommendation r : reference.recommend(without, TinyModel.ITEMS, false, Set.of())) {
                    if (r.itemId().equals(it.get("id"))) occluded = r.score();
                }
                assertEquals(full - occluded, drop, 1e-5f, "item " + it.get("id") + " without position " + pos);
                listed++;
            }
        }
        assertTrue(listed > 0, a.text());
        Http.Answer plain = http.post("/recommend", body(null, history, 4));
        assertFalse(((List<Map<String, Object>>) plain.json().get("items")).get(0).containsKey("because"));
    }

    @Test
    void knownUserReadsTheStoredHistory() {
        for (int u = 0; u < TinyModel.USERS; u += 7) {
            int[] stored = model.histories()[u];
            Http.Answer a = http.post("/recommend", body("user-" + u, null, 5));
            assertItems(expected(stored, 5, Set.of()), a, true);
        }
    }

    @Test
    void explicitHistoryAndUserPlusHistory() {
        List<String> history = List.of(TinyModel.itemId(4), TinyModel.itemId(5), TinyModel.itemId(9));
        assertItems(expected(internal(history), 10, Set.of()), http.post("/recommend", body(null, history, null)), true);

        int[] stored = model.histories()[3];
        int[] both = new int[stored.length + history.size()];
        System.arraycopy(stored, 0, both, 0, stored.length);
        System.arraycopy(internal(history), 0, both, stored.length, history.size());
        assertItems(expected(both, 7, Set.of()), http.post("/recommend", body("user-3", history, 7)), true);

        // A user the model has never seen, with a history: a cold-start query on the history alone.
        assertItems(expected(internal(history), 4, Set.of()), http.post("/recommend", body("new-user", history, 4)), true);
    }

    @Test
    void excludeAndExcludeSeen() {
        List<String> history = List.of(TinyModel.itemId(1), TinyModel.itemId(2));
        List<Recommendation> plain = expected(internal(history), 3, Set.of());
        String best = plain.get(0).itemId(), second = plain.get(1).itemId();
        String withExclude = "{\"history\": " + JsonCodec.writeString(history) + ", \"k\": 3, \"exclude\": [\"" + best + "\", \"" + second
                + "\", \"no-such-item\"]}";
        assertItems(expected(internal(history), 3, Set.of(reference.item(best), reference.item(second))),
                http.post("/recommend", withExclude), true);

        Http.Answer all = http.post("/recommend", "{\"history\": " + JsonCodec.writeString(history) + ", \"k\": 1000, \"exclude_seen\": false}");
        assertItems(reference.recommend(internal(history), TinyModel.ITEMS, false, Set.of()), all, true);
        assertEquals(TinyModel.ITEMS, ((List<?>) all.json().get("items")).size(), "k clamped to N, seen items kept");
    }

    @Test
    void titlesOnlyWithATitlesMap() throws IOException {
        try (RecommendationServer bare = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).port(0).build()) {
            bare.start();
            List<String> history = List.of(TinyModel.itemId(7));
            assertItems(expected(internal(history), 30, Set.of()), new Http(bare.uri()).post("/recommend", body(null, history, 30)), false);
            assertNull(new Http(bare.uri()).get("/info").json().get("model_file"));
        }
        // The last item has no title in the map: the field is there, null.
        Http.Answer a = http.post("/recommend", body(null, List.of(TinyModel.itemId(1)), 30));
        assertTrue(a.text().contains("\"title\":null"), a.text());
    }

    static void assertError(Http.Answer a, int status, String fragment) {
        assertEquals(status, a.status(), a.text());
        assertTrue(a.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), "JSON error");
        String error = a.error();
        assertTrue(error != null && error.contains(fragment), "error '" + error + "' should contain '" + fragment + "'");
    }

    @Test
    void badRequestsAre400WithAClearMessage() {
        String known = TinyModel.itemId(3);
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\""), 400, "malformed JSON");
        assertError(http.post("/recommend", ""), 400, "malformed JSON");
        assertError(http.post("/recommend", "[\"" + known + "\"]"), 400, "expected a JSON object");
        assertError(http.post("/recommend", "{\"k\": 5}"), 400, "give \"user\"");
        assertError(http.post("/recommend", "{\"history\": \"" + known + "\"}"), 400, "\"history\" must be an array");
        assertError(http.post("/recommend", "{\"history\": [" + known + "]}"), 400, "\"history\"[0] must be an item id string");
        assertError(http.post("/recommend", "{\"user\": 7}"), 400, "\"user\" must be a string, got the integer 7");
        assertError(http.post("/recommend", "{\"user\": null}"), 400, "\"user\" must be a string, got null");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"k\": 0}"), 400, "\"k\" must be in 1..1000, got 0");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"k\": 1001}"), 400, "got 1001");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"k\": -3}"), 400, "got -3");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"k\": 2.5}"), 400, "\"k\" must be an integer");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"k\": \"5\"}"), 400, "\"k\" must be an integer");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"exclude\": {}}"), 400, "\"exclude\" must be an array");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"], \"exclude_seen\": 1}"), 400, "exclude_seen");
        assertError(http.post("/recommend", "{\"histroy\": [\"" + known + "\"]}"), 400, "unknown field \"histroy\"");
        assertError(http.post("/recommend", "{\"history\": []}"), 400, "\"history\" is empty");
        assertError(http.post("/recommend", "{\"user\": \"a\", \"user\": \"b\"}"), 400, "Duplicate field 'user'");
        assertError(http.post("/recommend", "{\"history\": [\"" + known + "\"]} {}"), 400, "unexpected content after the JSON value");
        byte[] latin1 = "{\"history\": [\"caf\u00e9\"]}".getBytes(StandardCharsets.ISO_8859_1);
        assertError(http.send("POST", "/recommend", latin1), 400, "not valid UTF-8");
    }

    @Test
    void unknownHistoryItemsAreListed() {
        Http.Answer a = http.post("/recommend", body(null, List.of("nope-1", TinyModel.itemId(2), "nope-2"), 5));
        assertError(a, 400, "2 history item id(s) unknown to the model: nope-1, nope-2");
        assertEquals(List.of("nope-1", "nope-2"), a.json().get("unknown_items"));
        // With a known user too: still an error, nothing is silently dropped.
        assertError(http.post("/recommend", body("user-1", List.of("nope-3"), 5)), 400, "nope-3");
    }

    @Test
    void unknownUserWithoutHistoryIs404() {
        assertError(http.post("/recommend", body("nobody", null, 5)), 404, "unknown user \"nobody\"");
        assertError(http.post("/recommend", body("nobody", List.of(), 5)), 404, "unknown user \"nobody\"");
    }

    @Test
    void oversizedBodyIs413() {
        StringBuilder sb = new StringBuilder("{\"history\": [");
        while (sb.length() <= RecommendationServer.MAX_BODY_BYTES) sb.append("\"").append(TinyModel.itemId(3)).append("\",");
        sb.append("\"").append(TinyModel.itemId(3)).append("\"]}");
        assertError(http.post("/recommend", sb.toString()), 413, "larger than 65536 bytes");
        assertEquals(200, http.get("/health").status(), "still serving");
    }

    @Test
    void wrongMethodIs405WithAllowAndUnknownPathIs404() {
        Http.Answer a = http.get("/recommend");
        assertError(a, 405, "use POST");
        assertEquals("POST", a.headers().firstValue("Allow").orElse(null));
        Http.Answer b = http.post("/health", "{}");
        assertError(b, 405, "use GET");
        assertEquals("GET", b.headers().firstValue("Allow").orElse(null));
        assertError(http.send("DELETE", "/info", null), 405, "method DELETE not allowed on /info");
        assertError(http.get("/recommend/"), 404, "no endpoint /recommend/");
        assertError(http.get("/"), 404, "endpoints: POST /recommend");
    }

    @Test
    void concurrentRequestsAreBatchedAndEqualOneByOne() throws Exception {
        try (RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).port(0).build()) {
            s.start();
            int threads = 32, each = 20;
            SplittableRandom rnd = new SplittableRandom(8);
            List<String> bodies = new ArrayList<>();
            List<List<Recommendation>> want = new ArrayList<>();
            for (int i = 0; i < threads * each; i++) {
                int u = rnd.nextInt(TinyModel.USERS);
                List<String> extra = new ArrayList<>();
                for (int e = rnd.nextInt(4); e > 0; e--) extra.add(TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS)));
                int k = 1 + rnd.nextInt(40);
                boolean withUser = rnd.nextBoolean() || extra.isEmpty();
                bodies.add(body(withUser ? "user-" + u : null, extra.isEmpty() ? null : extra, k));
                List<Integer> h = new ArrayList<>();
                if (withUser) for (int item : model.histories()[u]) h.add(item);
                for (int item : internal(extra)) h.add(item);
                want.add(expected(h.stream().mapToInt(Integer::intValue).toArray(), k, Set.of()));
            }
            Http client = new Http(s.uri());
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int first = t * each;
                    done.add(pool.submit(() -> {
                        for (int i = first; i < first + each; i++) assertItems(want.get(i), client.post("/recommend", bodies.get(i)), false);
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
            Map<?, ?> stats = (Map<?, ?>) client.get("/info").json().get("stats");
            long queries = (Long) stats.get("queries"), batches = (Long) stats.get("batches");
            assertEquals(threads * each, queries);
            assertTrue(batches < queries, "32 concurrent clients share batches: " + batches + " batches for " + queries + " queries");
        }
    }

    /** Opens a connection and sends a request's headers and part of its body: a worker blocks reading the rest. */
    private static Socket halfSent(RecommendationServer s, String body) throws IOException {
        Socket socket = new Socket(s.uri().getHost(), s.port());
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        out.write(("POST /recommend HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes, 0, bytes.length / 2);
        out.flush();
        return socket;
    }

    private static void finish(Socket socket, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(bytes, bytes.length / 2, bytes.length - bytes.length / 2);
        socket.getOutputStream().flush();
    }

    private static String readStatusLine(Socket socket) throws IOException {
        InputStream in = socket.getInputStream();
        StringBuilder sb = new StringBuilder();
        for (int c; (c = in.read()) >= 0 && c != '\n'; ) sb.append((char) c);
        return sb.toString().strip();
    }

    private static void awaitInFlight(RecommendationServer s, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (s.inFlight() < n) {
            assertTrue(System.nanoTime() < deadline, "requests never reached the server");
            Thread.sleep(5);
        }
    }

    @Test
    void fullQueueIs503AndServingResumes() throws Exception {
        String body = body(null, List.of(TinyModel.itemId(5)), 3);
        try (RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend()))
                .port(0).workers(1).queueCapacity(1).build()) {
            s.start();
            Socket busy = halfSent(s, body);    // holds the only worker
            awaitInFlight(s, 1);
            Socket queued = halfSent(s, body);  // fills the queue
            awaitInFlight(s, 2);
            Http client = new Http(s.uri());
            assertError(client.post("/recommend", body), 503, "server overloaded");
            finish(busy, body);
            finish(queued, body);
            assertEquals("HTTP/1.1 200 OK", readStatusLine(busy));
            assertEquals("HTTP/1.1 200 OK", readStatusLine(queued));
            busy.close();
            queued.close();
            // The closed sockets briefly take the worker and the queue slot again (the server reads their EOF as
            // an exchange), so serving resumes within moments rather than at once.
            Http.Answer again = client.post("/recommend", body);
            for (int tries = 0; again.status() == 503 && tries < 100; tries++) {
                assertError(again, 503, "server overloaded");
                Thread.sleep(20);
                again = client.post("/recommend", body);
            }
            assertItems(expected(new int[] {5}, 3, Set.of()), again, false);
        }
    }

    @Test
    void stopDrainsInFlightRequestsThenRefusesConnections() throws Exception {
        String body = body(null, List.of(TinyModel.itemId(8)), 2);
        RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).port(0).build();
        s.start();
        Http client = new Http(s.uri());
        Socket inFlight = halfSent(s, body);
        awaitInFlight(s, 1);
        Thread stopper = new Thread(() -> s.stop(Duration.ofSeconds(10)));
        stopper.start();
        Thread.sleep(100);
        assertTrue(stopper.isAlive(), "stop waits for the request in flight");
        finish(inFlight, body);
        assertEquals("HTTP/1.1 200 OK", readStatusLine(inFlight));
        inFlight.close();
        stopper.join(10_000);
        assertFalse(stopper.isAlive(), "stop returns once drained");
        assertThrows(IOException.class, () -> client.sendOrFail("GET", "/health", null));
        s.stop(Duration.ofSeconds(1)); // idempotent
    }

    /** Loads this module's classes afresh (the rest from the parent), so their static initialisers run again. */
    private static final class FreshServeClasses extends ClassLoader {
        FreshServeClasses() {
            super(RecommendationServerTest.class.getClassLoader());
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (!name.startsWith("dev.lstmrec.serve.")) return super.loadClass(name, resolve);
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c != null) return c;
                try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                    if (in == null) throw new ClassNotFoundException(name);
                    byte[] bytes = in.readAllBytes();
                    return defineClass(name, bytes, 0, bytes.length);
                } catch (IOException e) {
                    throw new ClassNotFoundException(name, e);
                }
            }
        }
    }

    @Test
    void loadingBuildingAndRunningTheServerChangeNoSystemProperty() throws Exception {
        // Unset for the check (the test JVM passes it, as an embedder would); the JDK has read it already.
        String nodelay = System.clearProperty(RecommendationServer.NODELAY_PROPERTY);
        try {
            java.util.Properties before = (java.util.Properties) System.getProperties().clone();
            Class.forName(RecommendationServer.class.getName(), true, new FreshServeClasses()); // static initialisers
            try (RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).port(0).build()) {
                s.start();
                assertEquals(200, new Http(s.uri()).get("/health").status());
            }
            Set<Object> changed = new HashSet<>(before.keySet());
            changed.addAll(System.getProperties().keySet());
            changed.removeIf(key -> java.util.Objects.equals(before.get(key), System.getProperties().get(key)));
            assertEquals(Set.of(), changed, "system properties changed: a library must not change JVM-wide settings");
        } finally {
            if (nodelay != null) System.setProperty(RecommendationServer.NODELAY_PROPERTY, nodelay);
        }
    }

    @Test
    void stopReleasesThePortStartedOrNot() throws Exception {
        for (boolean start : new boolean[] {false, true}) {
            RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).port(0).build();
            if (start) s.start();
            s.stop(Duration.ofSeconds(1));
            try (java.net.ServerSocket again = new java.net.ServerSocket(s.port(), 0, java.net.InetAddress.getLoopbackAddress())) {
                assertEquals(s.port(), again.getLocalPort(), "port free after stop (started: " + start + ")");
            }
        }
    }
}
