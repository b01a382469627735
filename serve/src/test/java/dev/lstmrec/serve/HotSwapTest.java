package dev.lstmrec.serve;

// Model hot swap over real loopback HTTP: swaps under concurrent /recommend and /events traffic fail no request, each
// answer equals one of the two models' answers, the live histories carry over (events journaled before and during
// the swaps are all there, once), the old model is closed once idle, a broken file is refused with the old model
// serving on, /info shows the new lineage, and --watch picks up an atomically replaced file.

import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.TinyModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HotSwapTest {
    /** The tiny model with its weights scaled (other answers) and a lineage marking it. */
    static SavedModel variant(float scale, String parent) {
        SavedModel m = TinyModel.get();
        float[] w = m.weights().clone();
        for (int i = 0; i < w.length; i++) w[i] *= scale;
        Map<String, String> info = new LinkedHashMap<>(m.info());
        info.put("lineage.events", "1");
        info.put("lineage.parent", parent);
        return new SavedModel(m.config(), m.itemIds(), m.userIds(), m.histories(), w, info);
    }

    static List<String> ids(List<Recommendation> rs) {
        return rs.stream().map(Recommendation::itemId).toList();
    }

    @Test
    @SuppressWarnings("unchecked")
    void swapsUnderConcurrentRequestsFailNothingAndKeepTheEvents(@TempDir Path dir) throws Exception {
        SavedModel a = variant(1f, "a"), b = variant(0.7f, "b");
        Path file = dir.resolve("m.lstmrec");
        a.save(file);
        List<Recommender> loaded = new ArrayList<>();
        ModelLoader loader = f -> {
            Recommender r = Recommender.owning(SavedModel.load(f), new ScalarBackend());
            synchronized (loaded) {
                loaded.add(r);
            }
            return r;
        };
        // The answers either model can give for the fixed user-3 (no events for that user).
        List<String> answerA, answerB;
        try (Recommender ra = new Recommender(a, new ScalarBackend()); Recommender rb = new Recommender(b, new ScalarBackend())) {
            answerA = ids(ra.recommend(a.histories()[3], 5, true, Set.of()));
            answerB = ids(rb.recommend(b.histories()[3], 5, true, Set.of()));
        }
        assertFalse(answerA.equals(answerB), "the two models must answer differently for the test to see the swap");
        try (RecommendationServer s = RecommendationServer.builder(loader.load(file)).ownsRecommender(true).port(0)
                .journal(dir.resolve("journal")).reloadFrom(file, loader).build()) {
            s.start();
            Http http = new Http(s.uri());
            AtomicBoolean stop = new AtomicBoolean();
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            ConcurrentLinkedQueue<String> sent = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(6);
            List<Future<Integer>> clients = new ArrayList<>();
            for (int c = 0; c < 6; c++) {
                int id = c;
                clients.add(pool.submit(() -> {
                    int n = 0;
                    while (!stop.get()) {
                        Http.Answer r;
                        if (id < 2) { // writers: one event each, to their own user
                            String item = TinyModel.itemId(1 + n % TinyModel.ITEMS);
                            r = http.post("/events", LiveEventsTest.event("writer-" + id, item));
                            if (r.status() == 200) sent.add(id + ":" + item);
                        } else {
                            r = http.post("/recommend", "{\"user\": \"user-3\", \"k\": 5}");
                            if (r.status() == 200) {
                                List<String> got = ((List<Map<String, Object>>) r.json().get("items")).stream().map(m -> (String) m.get("id")).toList();
                                if (!got.equals(answerA) && !got.equals(answerB)) errors.add("answer of neither model: " + got);
                            }
                        }
                        if (r.status() != 200) errors.add(r.status() + " " + r.text());
                        n++;
                    }
                    return n;
                }));
            }
            for (int i = 0; i < 6; i++) {
                Thread.sleep(150);
                (i % 2 == 0 ? b : a).save(file);
                assertTrue(s.reloadModel("test swap " + i));
            }
            stop.set(true);
            int answered = 0;
            for (Future<Integer> f : clients) answered += f.get();
            pool.shutdown();
            assertTrue(errors.isEmpty(), errors.size() + " errors, first: " + errors.peek());
            assertTrue(answered > 12, "requests answered: " + answered);

            // The last swap installed model b's answer (i = 5 saved a... so i=4 saved b, i=5 a): a serves now.
            assertEquals(answerA, LiveEventsTest.recommended(http, "user-3", 5));
            Map<String, Object> info = http.get("/info").json();
            assertEquals("a", ((Map<String, Object>) info.get("lineage")).get("lineage.parent"));
            assertEquals(6L, ((Map<String, Object>) info.get("reloads")).get("swaps"));
            // Every acknowledged event survived the swaps, once, in order.
            for (int w = 0; w < 2; w++) {
                String prefix = w + ":";
                List<String> mine = sent.stream().filter(x -> x.startsWith(prefix)).map(x -> x.substring(prefix.length())).toList();
                assertEquals(mine, LiveEventsTest.history(http, "writer-" + w));
            }
            // Every model swapped out has been closed (it was idle once the swap returned and its requests finished).
            synchronized (loaded) {
                assertEquals(7, loaded.size());
                for (Recommender old : loaded.subList(0, 6)) {
                    assertThrows(IllegalStateException.class, () -> old.recommend(new int[] {1}, 1, true, Set.of()));
                }
            }

            // A broken file is refused: the old model keeps serving, /info says why.
            Files.writeString(file, "not a model");
            assertFalse(s.reloadModel("broken"));
            assertEquals(answerA, LiveEventsTest.recommended(http, "user-3", 5));
            Map<String, Object> reloads = (Map<String, Object>) http.get("/info").json().get("reloads");
            assertEquals(1L, reloads.get("refused"));
            assertTrue(((String) reloads.get("last_refusal")).contains("m.lstmrec"), reloads.toString());
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSwapCarriesTheActiveUsersStatesUnderTheNewWeights(@TempDir Path dir) throws Exception {
        SavedModel a = variant(1f, "a"), b = variant(0.7f, "b");
        Path file = dir.resolve("m.lstmrec");
        a.save(file);
        ModelLoader loader = f -> Recommender.owning(SavedModel.load(f), new ScalarBackend());
        try (RecommendationServer s = RecommendationServer.builder(loader.load(file)).ownsRecommender(true).port(0)
                .journal(dir.resolve("journal")).reloadFrom(file, loader).build();
             Recommender reference = new Recommender(b, new ScalarBackend())) {
            s.start();
            Http http = new Http(s.uri());
            for (int u = 0; u < 5; u++) assertEquals(200, http.post("/recommend", "{\"user\": \"user-" + u + "\", \"k\": 4}").status());
            assertEquals(200, http.post("/events", "{\"user\": \"user-2\", \"item\": \"" + TinyModel.itemId(7) + "\"}").status());
            b.save(file);
            assertTrue(s.reloadModel("test"));
            Map<String, Object> before = (Map<String, Object>) http.get("/info").json().get("state_cache");
            assertEquals(5L, ((Number) before.get("users")).longValue(), before.toString());
            // The carried states are the new model's: answers equal a fresh pass under its weights, as hits.
            for (int u = 0; u < 5; u++) {
                int[] h = u == 2 ? append(b.histories()[u], 7) : b.histories()[u];
                assertEquals(ids(reference.recommend(h, 4, true, Set.of())), ids(http, "user-" + u));
            }
            Map<String, Object> after = (Map<String, Object>) http.get("/info").json().get("state_cache");
            assertEquals(((Number) before.get("hits")).longValue() + 5, ((Number) after.get("hits")).longValue(), after.toString());
        }
    }

    private static int[] append(int[] h, int item) {
        int[] out = java.util.Arrays.copyOf(h, h.length + 1);
        out[h.length] = item;
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> ids(Http http, String user) {
        Http.Answer a = http.post("/recommend", "{\"user\": \"" + user + "\", \"k\": 4}");
        assertEquals(200, a.status(), a.text());
        List<String> out = new ArrayList<>();
        for (Map<String, Object> it : (List<Map<String, Object>>) a.json().get("items")) out.add((String) it.get("id"));
        return out;
    }

    @Test
    @SuppressWarnings("unchecked")
    void watchReloadsAnAtomicallyReplacedFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("m.lstmrec");
        variant(1f, "first").save(file);
        ModelLoader loader = f -> Recommender.owning(SavedModel.load(f), new ScalarBackend());
        try (RecommendationServer s = RecommendationServer.builder(loader.load(file)).ownsRecommender(true).port(0)
                .reloadFrom(file, loader).watch(true).build()) {
            s.start();
            Http http = new Http(s.uri());
            assertEquals("first", ((Map<String, Object>) http.get("/info").json().get("lineage")).get("lineage.parent"));
            variant(0.5f, "second").save(file); // AtomicFiles: a temp file renamed over the model
            long deadline = System.nanoTime() + 20_000_000_000L;
            Object parent = null;
            while (System.nanoTime() < deadline && !"second".equals(parent)) {
                Thread.sleep(50);
                parent = ((Map<String, Object>) http.get("/info").json().get("lineage")).get("lineage.parent");
            }
            assertEquals("second", parent, "the watcher did not reload the replaced file within 20 s");
            assertEquals(true, ((Map<String, Object>) http.get("/info").json().get("reloads")).get("watch"));
        }
    }
}
