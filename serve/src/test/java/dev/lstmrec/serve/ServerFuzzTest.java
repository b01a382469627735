package dev.lstmrec.serve;

// A bounded, seeded fuzz run against a live server (about 2 s, 4 client threads): valid bodies, byte-level mutations
// (flips, cuts, splices, invalid UTF-8), random JSON of every type in the known fields, odd methods and paths, and a
// few oversized bodies. Every answer must be 200 with items or a 4xx JSON error (never 5xx, never a dropped
// connection), and the server must still answer correctly afterwards.

import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.TinyModel;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServerFuzzTest {
    private static final long MILLIS = 2000;
    private static final Set<Integer> ALLOWED = Set.of(200, 400, 404, 405, 413);
    private static final String JSON_CHARS = "{}[]\",:0123456789-.eE \\tnu";
    private static final String[] FIELDS = {"user", "history", "k", "exclude", "exclude_seen"};

    private static Object randomValue(SplittableRandom rnd, int depth) {
        switch (rnd.nextInt(depth > 3 ? 6 : 8)) {
            case 0: return null;
            case 1: return rnd.nextBoolean();
            case 2: return (long) rnd.nextInt(-5, 2000);
            case 3: return rnd.nextDouble() * 100 - 50;
            case 4: return TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS));
            case 5: return rnd.nextBoolean() ? "user-" + rnd.nextInt(100) : "\u00e9\ud83d\ude00\\\"x" + rnd.nextInt(9);
            case 6: {
                List<Object> list = new ArrayList<>();
                for (int i = rnd.nextInt(6); i > 0; i--) list.add(rnd.nextInt(4) == 0 ? randomValue(rnd, depth + 1) : TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS)));
                return list;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = rnd.nextInt(4); i > 0; i--) m.put(FIELDS[rnd.nextInt(FIELDS.length)] + (rnd.nextInt(8) == 0 ? "x" : ""), randomValue(rnd, depth + 1));
                return m;
            }
        }
    }

    private static String validBody(SplittableRandom rnd) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (rnd.nextBoolean()) m.put("user", "user-" + rnd.nextInt(TinyModel.USERS + 5));
        List<String> h = new ArrayList<>();
        for (int i = rnd.nextInt(6); i > 0; i--) h.add(TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS)));
        if (!m.containsKey("user") || rnd.nextBoolean()) m.put("history", h);
        if (rnd.nextBoolean()) m.put("k", 1 + rnd.nextInt(40));
        if (rnd.nextInt(4) == 0) m.put("exclude", List.of(TinyModel.itemId(1 + rnd.nextInt(TinyModel.ITEMS))));
        return JsonCodec.writeString(m);
    }

    private static byte[] mutate(SplittableRandom rnd, byte[] b) {
        byte[] out = b.clone();
        for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
            if (out.length == 0) return out;
            int at = rnd.nextInt(out.length);
            switch (rnd.nextInt(5)) {
                case 0 -> out[at] = (byte) rnd.nextInt(256); // may be invalid UTF-8 or a control character
                case 1 -> out[at] = (byte) JSON_CHARS.charAt(rnd.nextInt(JSON_CHARS.length()));
                case 2 -> out = Arrays.copyOf(out, at); // truncate
                case 3 -> { // delete a slice
                    int len = rnd.nextInt(Math.min(8, out.length - at) + 1);
                    byte[] c = new byte[out.length - len];
                    System.arraycopy(out, 0, c, 0, at);
                    System.arraycopy(out, at + len, c, at, out.length - at - len);
                    out = c;
                }
                default -> { // duplicate a slice
                    int len = rnd.nextInt(Math.min(12, out.length - at) + 1);
                    byte[] c = new byte[out.length + len];
                    System.arraycopy(out, 0, c, 0, at + len);
                    System.arraycopy(out, at, c, at + len, out.length - at);
                    out = c;
                }
            }
        }
        return out;
    }

    private static int fuzz(Http http, long seed, long until) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int sent = 0;
        while (System.currentTimeMillis() < until || sent < 50) {
            String method = "POST", path = "/recommend";
            byte[] body;
            int kind = rnd.nextInt(100);
            if (kind < 30) body = validBody(rnd).getBytes(StandardCharsets.UTF_8);
            else if (kind < 70) body = mutate(rnd, validBody(rnd).getBytes(StandardCharsets.UTF_8));
            else if (kind < 92) body = JsonCodec.writeString(randomValue(rnd, 0)).getBytes(StandardCharsets.UTF_8);
            else if (kind < 98) {
                method = new String[] {"GET", "PUT", "DELETE", "PATCH", "POST"}[rnd.nextInt(5)];
                path = new String[] {"/recommend", "/info", "/health", "/x", "/recommend?k=3", "/%41"}[rnd.nextInt(6)];
                body = method.equals("GET") ? null : validBody(rnd).getBytes(StandardCharsets.UTF_8);
            } else {
                body = new byte[RecommendationServer.MAX_BODY_BYTES + 1 + rnd.nextInt(1000)];
                Arrays.fill(body, (byte) '[');
            }
            Http.Answer a = http.send(method, path, body);
            String what = method + " " + path + " " + (body == null ? "" : new String(body, 0, Math.min(200, body.length), StandardCharsets.UTF_8));
            assertTrue(ALLOWED.contains(a.status()), "status " + a.status() + " for " + what + ": " + a.text());
            Map<String, Object> json = a.json();
            if (a.status() == 200) {
                assertTrue(json.get("items") instanceof List || json.get("status") != null || json.get("model") != null, what + ": " + a.text());
            } else {
                assertTrue(json.get("error") instanceof String && !((String) json.get("error")).isEmpty(), what + ": " + a.text());
            }
            sent++;
        }
        return sent;
    }

    @Test
    void everyAnswerIs200Or4xxJsonAndTheServerKeepsServing() throws Exception {
        Recommender reference = new Recommender(TinyModel.get(), new ScalarBackend());
        try (RecommendationServer server = RecommendationServer.builder(new Recommender(TinyModel.get(), new ScalarBackend()))
                .port(0).build()) {
            server.start();
            Http http = new Http(server.uri());
            long until = System.currentTimeMillis() + MILLIS;
            ExecutorService pool = Executors.newFixedThreadPool(4);
            int total = 0;
            try {
                List<Future<Integer>> runs = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    long seed = 1000 + t;
                    runs.add(pool.submit(() -> fuzz(http, seed, until)));
                }
                for (Future<Integer> f : runs) total += f.get();
            } finally {
                pool.shutdownNow();
            }
            assertTrue(total >= 200, "fuzzed " + total + " requests");
            assertEquals(200, http.get("/health").status());
            RecommendationServerTest.assertItems(reference.recommend(new int[] {2, 3}, 4, true, Set.of()),
                    http.post("/recommend", "{\"history\": [\"" + TinyModel.itemId(2) + "\", \"" + TinyModel.itemId(3) + "\"], \"k\": 4}"), false);
        }
    }
}
