package dev.lstmrec.serve;

// POST /events and GET /users/{id}/history over real loopback HTTP with a real journal in a temp directory: the
// event is in the next answer (equal to Recommender.recommend over stored + events), unknown items are kept but not
// scored, every refusal is a 400 naming the field with nothing applied, the token, read-your-writes under concurrent
// writers, and a restart on the same journal answering exactly as before (nothing lost, nothing doubled).

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.TinyModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LiveEventsTest {
    private static SavedModel model;
    private static Recommender reference;

    @BeforeAll
    static void setUp() {
        model = TinyModel.get();
        reference = new Recommender(model, new ScalarBackend());
    }

    @AfterAll
    static void tearDown() {
        reference.close();
    }

    static RecommendationServer server(SavedModel m, Path journal) throws IOException {
        RecommendationServer s = RecommendationServer.builder(new Recommender(m, new ScalarBackend())).ownsRecommender(true)
                .port(0).journal(journal).build();
        s.start();
        return s;
    }

    static String event(String user, String item) {
        return JsonCodec.writeString(Map.of("user", user, "item", item));
    }

    @SuppressWarnings("unchecked")
    static List<String> history(Http http, String user) {
        Http.Answer a = http.get("/users/" + user + "/history");
        assertEquals(200, a.status(), a.text());
        return (List<String>) a.json().get("history");
    }

    @SuppressWarnings("unchecked")
    static List<String> recommended(Http http, String user, int k) {
        Http.Answer a = http.post("/recommend", "{\"user\": \"" + user + "\", \"k\": " + k + "}");
        assertEquals(200, a.status(), a.text());
        List<String> ids = new ArrayList<>();
        for (Map<String, Object> it : (List<Map<String, Object>>) a.json().get("items")) ids.add((String) it.get("id"));
        return ids;
    }

    /** Reference answer over external ids (unknown ones skipped, as the server does). */
    static List<String> expected(List<String> history, int k) {
        int[] h = history.stream().mapToInt(reference::item).filter(i -> i > 0).toArray();
        List<String> ids = new ArrayList<>();
        for (Recommendation r : reference.recommend(h, k, true, Set.of())) ids.add(r.itemId());
        return ids;
    }

    static List<String> stored(int user) {
        List<String> ids = new ArrayList<>();
        for (int i : model.histories()[user]) ids.add(TinyModel.itemId(i));
        return ids;
    }

    @Test
    void withoutAJournalEventsAre404NamingTheOption() throws IOException {
        try (RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).ownsRecommender(true).port(0).build()) {
            s.start();
            Http.Answer a = new Http(s.uri()).post("/events", event("user-1", TinyModel.itemId(3)));
            assertEquals(404, a.status());
            assertTrue(a.error().contains("--journal"), a.error());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aUsersCarriedStateAnswersAsAFreshPassAcrossWindowRestarts(@TempDir Path dir) throws IOException {
        // TinyModel's max-len is 8: 30 events move the window's start several times, and each answer after an event
        // advances the carried state by one step (or re-reads the new window), never the whole history.
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            List<String> now = new ArrayList<>(stored(2));
            SplittableRandom rnd = new SplittableRandom(11);
            for (int e = 0; e < 30; e++) {
                assertEquals(expected(now, 7), recommended(http, "user-2", 7), "after " + e + " events");
                String item = TinyModel.itemId(1 + rnd.nextInt(model.config().numItems()));
                assertEquals(200, http.post("/events", event("user-2", item)).status());
                now.add(item);
            }
            assertEquals(expected(now, 7), recommended(http, "user-2", 7));
            Map<String, Object> cache = (Map<String, Object>) http.get("/info").json().get("state_cache");
            assertTrue(((Number) cache.get("hits")).longValue() > 0, cache.toString());
            assertTrue(((Number) cache.get("steps")).longValue() > 0, cache.toString());
            assertTrue(((Number) cache.get("restarts")).longValue() > 0, cache.toString());
        }
    }

    @Test
    void anEventIsInTheNextAnswerAndExcluded(@TempDir Path dir) throws IOException {
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            List<String> before = recommended(http, "user-5", 10);
            String item = before.get(0); // the best item: after the event it is seen, so excluded
            Http.Answer a = http.post("/events", JsonCodec.writeString(Map.of("user", "user-5", "item", item, "time", 1733570000L)));
            assertEquals(200, a.status(), a.text());
            assertEquals(1L, a.json().get("accepted"));
            assertEquals(List.of(), a.json().get("refused"));
            List<String> now = new ArrayList<>(stored(5));
            now.add(item);
            assertEquals(now, history(http, "user-5"));
            List<String> after = recommended(http, "user-5", 10);
            assertFalse(after.contains(item));
            assertNotEquals(before, after);
            assertEquals(expected(now, 10), after);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void unknownItemsAreKeptButNotScoredAndNewUsersAreCreated(@TempDir Path dir) throws IOException {
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            List<String> before = recommended(http, "user-2", 5);
            assertEquals(200, http.post("/events", "{\"events\": [{\"user\": \"user-2\", \"item\": \"brand-new\"},"
                    + " {\"user\": \"fresh\", \"item\": \"brand-new\"}, {\"user\": \"fresh\", \"item\": \"" + TinyModel.itemId(7) + "\"}]}").status());
            assertEquals(before, recommended(http, "user-2", 5), "an item the model does not know changes nothing");
            Map<String, Object> h = http.get("/users/user-2/history").json();
            assertEquals(List.of("brand-new"), h.get("waiting_for_next_model"));
            assertEquals((long) model.histories()[2].length, h.get("stored"));
            assertEquals(1L, h.get("events"));
            assertEquals(List.of("brand-new", TinyModel.itemId(7)), history(http, "fresh"));
            assertEquals(expected(List.of(TinyModel.itemId(7)), 5), recommended(http, "fresh", 5));
            Map<String, Object> live = (Map<String, Object>) http.get("/info").json().get("live");
            assertEquals(2L, live.get("events_waiting_for_next_model"));
            assertEquals(1L, live.get("items_waiting_for_next_model"));
            assertEquals(1L, live.get("new_users"));
            assertEquals(3L, live.get("events_accepted"));
            assertEquals(404, http.get("/users/nobody/history").status());
            // A new user whose only event is an unknown item has nothing to score yet.
            http.post("/events", event("only-unknown", "x1"));
            assertEquals(404, http.post("/recommend", "{\"user\": \"only-unknown\"}").status());
        }
    }

    static void assertRefused(Http http, String body, String fragment) {
        Http.Answer a = http.post("/events", body);
        assertEquals(400, a.status(), body + " -> " + a.text());
        assertTrue(a.error().contains(fragment), a.error());
        assertEquals(0L, a.json().get("accepted"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void badEventsAre400NamingTheFieldAndABatchIsAllOrNothing(@TempDir Path dir) throws IOException {
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            String ok = TinyModel.itemId(1);
            assertRefused(http, "{\"user\": \"u\", \"item\": \"" + ok + "\", \"when\": 1}", "unknown field \"when\"");
            assertRefused(http, "{\"user\": 7, \"item\": \"" + ok + "\"}", "\"user\" must be a string");
            assertRefused(http, "{\"user\": \"\", \"item\": \"" + ok + "\"}", "\"user\" is empty");
            assertRefused(http, "{\"user\": \"u\"}", "\"item\" is missing");
            assertRefused(http, "{\"user\": \"" + "u".repeat(257) + "\", \"item\": \"" + ok + "\"}", "at most 256");
            assertRefused(http, "{\"user\": \"u\", \"item\": \"" + ok + "\", \"time\": \"now\"}", "\"time\" must be an integer");
            assertRefused(http, "{\"user\": \"u\", \"item\": \"" + ok + "\", \"time\": 1.5}", "\"time\" must be an integer");
            assertRefused(http, "{\"user\": \"u\", \"item\": \"" + ok + "\", \"time\": 1733570000000}", "not milliseconds");
            assertRefused(http, "{\"events\": []}", "empty");
            assertRefused(http, "{\"events\": [], \"user\": \"u\"}", "unknown field \"user\" beside");
            assertRefused(http, "[1]", "expected a JSON object");
            StringBuilder big = new StringBuilder("{\"events\": [");
            for (int i = 0; i <= EventBatch.MAX_EVENTS; i++) big.append(i > 0 ? "," : "").append(event("u", ok));
            assertRefused(http, big.append("]}").toString(), "batch too large");

            // Two bad events among valid ones: both reported by index, none of the batch applied.
            String batch = "{\"events\": [" + event("user-9", ok) + ", " + event("user-9", ok) + ", {\"user\": \"user-9\"}, "
                    + event("user-9", ok) + ", {\"user\": \"user-9\", \"item\": \"" + ok + "\", \"time\": -1}]}";
            Http.Answer a = http.post("/events", batch);
            assertEquals(400, a.status());
            List<Map<String, Object>> refused = (List<Map<String, Object>>) a.json().get("refused");
            assertEquals(List.of(2L, 4L), refused.stream().map(r -> r.get("index")).toList(), a.text());
            assertTrue(((String) refused.get(0).get("error")).contains("\"events[2].item\" is missing"), a.text());
            assertTrue(((String) refused.get(1).get("error")).contains("\"events[4].time\""), a.text());
            assertEquals(stored(9), history(http, "user-9"), "nothing of a refused batch is applied");

            // 1,000 events fit the /events body limit (above the 64 KiB of /recommend); more bytes than its limit are 413.
            StringBuilder full = new StringBuilder("{\"events\": [");
            for (int i = 0; i < EventBatch.MAX_EVENTS; i++) full.append(i > 0 ? "," : "").append(event("bulk-user-with-an-id-long-enough-to-pass-64-KiB-in-all-" + i % 7, ok));
            String fullBody = full.append("]}").toString();
            assertTrue(fullBody.length() > RecommendationServer.MAX_BODY_BYTES);
            assertEquals(200, http.post("/events", fullBody).status());
            String tooBig = "{\"events\": [" + event("u", "x".repeat(EventBatch.MAX_BODY_BYTES)) + "]}";
            assertEquals(413, http.post("/events", tooBig).status());
            assertEquals(405, http.get("/events").status());
        }
    }

    @Test
    void theTokenGuardsEvents(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("token");
        Files.writeString(file, "s3cret-token-0123456789\n");
        try (RecommendationServer s = RecommendationServer.builder(new Recommender(model, new ScalarBackend())).ownsRecommender(true)
                .port(0).journal(dir.resolve("j")).token(BearerToken.read(file)).build()) {
            s.start();
            Http http = new Http(s.uri());
            String body = event("user-1", TinyModel.itemId(2));
            Http.Answer none = http.post("/events", body);
            assertEquals(401, none.status());
            assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
            assertEquals(401, http.post("/events", body, "Authorization", "Bearer s3cret-token-012345678").status());
            assertEquals(401, http.post("/events", body, "Authorization", "Basic s3cret-token-0123456789").status());
            assertEquals(200, http.post("/events", body, "Authorization", "Bearer s3cret-token-0123456789").status());
            assertEquals(200, http.post("/recommend", "{\"user\": \"user-1\"}").status(), "reads need no token");
            assertEquals(stored(1).size() + 1, history(http, "user-1").size(), "the refused events were not applied");
        }
    }

    /**
     * Read-your-writes: writers each own a user and, after every acknowledged event, read the history and a
     * recommendation back; both must already include every event written so far, while other writers are busy.
     */
    @Test
    void readYourWritesUnderConcurrency(@TempDir Path dir) throws Exception {
        int writers = 8, rounds = 15;
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int id = w;
                done.add(pool.submit(() -> {
                    SplittableRandom rnd = new SplittableRandom(id);
                    String user = id % 2 == 0 ? "user-" + id : "new-" + id; // known and new users
                    List<String> mine = new ArrayList<>(id % 2 == 0 ? stored(id) : List.of());
                    for (int r = 0; r < rounds; r++) {
                        List<String> batch = new ArrayList<>();
                        int n = 1 + rnd.nextInt(3);
                        for (int i = 0; i < n; i++) batch.add(rnd.nextInt(10) == 0 ? "unknown-" + id + "-" + r : TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS)));
                        List<Map<String, Object>> events = new ArrayList<>();
                        for (String item : batch) events.add(Map.of("user", user, "item", item));
                        Http.Answer a = http.post("/events", JsonCodec.writeString(Map.of("events", events)));
                        assertEquals(200, a.status(), a.text());
                        mine.addAll(batch);
                        assertEquals(mine, history(http, user));
                        if (mine.stream().anyMatch(i -> reference.item(i) > 0)) assertEquals(expected(mine, 5), recommended(http, user, 5));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
            pool.shutdown();
        }
    }

    /**
     * Stopping while events wait for their fsync: every request ends (answered after its batch is durable, or refused
     * with 503, or cut off by the stop), none hangs, and every acknowledged event is in the journal.
     */
    @Test
    void aStopAnswersOrRefusesEveryEventRequestAndKeepsWhatItAcknowledged(@TempDir Path dir) throws Exception {
        int senders = 12;
        RecommendationServer s = server(model, dir);
        Http http = new Http(s.uri());
        ExecutorService pool = Executors.newFixedThreadPool(senders);
        java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(senders);
        List<Future<List<String>>> acknowledged = new ArrayList<>();
        for (int w = 0; w < senders; w++) {
            String user = "stopper-" + w;
            acknowledged.add(pool.submit(() -> {
                List<String> mine = new ArrayList<>();
                for (int i = 0; ; i++) {
                    if (i == 3) sending.countDown();
                    String item = TinyModel.itemId(1 + i % TinyModel.ITEMS);
                    Http.Answer a;
                    try {
                        a = http.sendOrFail("POST", "/events", JsonCodec.writeString(Map.of("user", user, "item", item))
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    } catch (IOException stopped) {
                        return mine;
                    }
                    if (a.status() != 200) {
                        assertEquals(503, a.status(), a.text());
                        return mine;
                    }
                    mine.add(user + " " + item);
                }
            }));
        }
        assertTrue(sending.await(30, TimeUnit.SECONDS));
        s.stop(Duration.ofSeconds(10));
        List<String> acked = new ArrayList<>();
        for (Future<List<String>> f : acknowledged) acked.addAll(f.get(30, TimeUnit.SECONDS));
        pool.shutdown();
        List<String> journaled = new ArrayList<>();
        dev.lstmrec.engine.journal.JournalReader.read(dir, 0, e -> journaled.add(e.user() + " " + e.item()));
        assertTrue(acked.size() >= 3 * senders, "each sender had 3 events acknowledged before the stop: " + acked.size());
        for (int w = 0; w < senders; w++) {
            String prefix = "stopper-" + w + " ";
            List<String> sent = acked.stream().filter(e -> e.startsWith(prefix)).toList();
            List<String> kept = journaled.stream().filter(e -> e.startsWith(prefix)).toList();
            assertEquals(sent, kept.subList(0, Math.min(kept.size(), sent.size())), "sender " + w + "'s acknowledged events, in order");
            assertTrue(kept.size() <= sent.size() + 1, "at most the one request in flight at the stop is kept unacknowledged");
        }
    }

    /** A fresh server on the same journal answers as the one before it: every event once, in the same order. */
    @Test
    void aRestartReplaysTheJournalExactlyOnce(@TempDir Path dir) throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        Map<String, List<String>> histories = new HashMap<>();
        Map<String, List<String>> answers = new LinkedHashMap<>();
        List<String> users = List.of("user-0", "user-1", "user-40", "new-a", "new-b");
        try (RecommendationServer s = server(model, dir)) {
            Http http = new Http(s.uri());
            for (int r = 0; r < 40; r++) {
                List<Map<String, Object>> events = new ArrayList<>();
                for (int i = 0, n = 1 + rnd.nextInt(20); i < n; i++) {
                    String item = rnd.nextInt(8) == 0 ? "later-" + r : TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS));
                    events.add(Map.of("user", users.get(rnd.nextInt(users.size())), "item", item, "time", 1_700_000_000L + r));
                }
                assertEquals(200, http.post("/events", JsonCodec.writeString(Map.of("events", events))).status());
            }
            for (String u : users) {
                histories.put(u, history(http, u));
                answers.put(u, recommended(http, u, 8));
            }
        }
        try (RecommendationServer again = server(model, dir)) {
            Http http = new Http(again.uri());
            for (String u : users) {
                assertEquals(histories.get(u), history(http, u), u);
                assertEquals(answers.get(u), recommended(http, u, 8), u);
            }
        }
        // A model whose lineage says it already contains the first 5 events gets only the rest.
        List<String> first5 = new ArrayList<>();
        try (RecommendationServer probe = server(model, dir)) {
            Http http = new Http(probe.uri());
            int total = 0;
            for (String u : users) total += history(http, u).size() - (u.startsWith("user-") ? stored(Integer.parseInt(u.substring(5))).size() : 0);
            assertEquals(total, ((Number) ((Map<?, ?>) http.get("/info").json().get("live")).get("journal_position")).intValue());
        }
        dev.lstmrec.engine.journal.JournalReader.read(dir, 0, e -> {
            if (first5.size() < 5) first5.add(e.user());
        });
        Map<String, String> info = new LinkedHashMap<>(model.info());
        info.put("lineage.journal_position", "5");
        SavedModel later = new SavedModel(model.config(), model.itemIds(), model.userIds(), model.histories(), model.weights(), info);
        try (RecommendationServer s = server(later, dir)) {
            Http http = new Http(s.uri());
            for (String u : users) {
                long skipped = first5.stream().filter(u::equals).count();
                assertEquals(histories.get(u).size() - skipped, history(http, u).size(), u);
            }
        }
        Map<String, String> ahead = new LinkedHashMap<>(model.info());
        ahead.put("lineage.journal_position", "1000000");
        SavedModel wrong = new SavedModel(model.config(), model.itemIds(), model.userIds(), model.histories(), model.weights(), ahead);
        IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> server(wrong, dir));
        assertTrue(e.getMessage().contains("another journal"), e.getMessage());
    }


}
