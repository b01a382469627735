package dev.lstmrec.engine.serve;

// The body of POST /recommend, parsed strictly: known fields only, each of its exact JSON type.
// Every problem becomes an ApiException(400) whose message names the field and what was expected.
// Checked by RecommendationServerTest (error cases) and the fuzz test.

import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.io.JsonException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A recommendation query as sent by a client.
 *
 * @param user        external user id whose stored history to read, or null
 * @param history     external item ids in time order (after the user's stored history), or null
 * @param k           how many items, 1..{@value #MAX_K}
 * @param exclude     external item ids never to recommend (unknown ids are ignored: they cannot be recommended)
 * @param excludeSeen leave out the items of the history (stored and given); default true
 */
record RecommendRequest(String user, List<String> history, int k, List<String> exclude, boolean excludeSeen) {
    static final int DEFAULT_K = 10;
    static final int MAX_K = 1000;
    private static final Set<String> FIELDS = Set.of("user", "history", "k", "exclude", "exclude_seen");

    /** Parses and checks a request body; throws {@link ApiException} 400 with a precise message. */
    static RecommendRequest parse(String body) {
        Map<String, Object> m;
        try {
            m = Json.parseObject(body);
        } catch (JsonException e) {
            throw new ApiException(400, "malformed JSON: " + e.getMessage());
        }
        for (String key : m.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new ApiException(400, "unknown field \"" + (key.length() > 60 ? key.substring(0, 60) + "..." : key) + "\" (expected user, history, k, exclude, exclude_seen)");
            }
        }
        String user = null;
        if (m.containsKey("user")) {
            if (!(m.get("user") instanceof String)) throw new ApiException(400, "\"user\" must be a string, got " + type(m.get("user")));
            user = (String) m.get("user");
        }
        List<String> history = m.containsKey("history") ? strings(m.get("history"), "history") : null;
        if (user == null && history == null) {
            throw new ApiException(400, "give \"user\" (a known user id), \"history\" (item ids in time order), or both");
        }
        int k = DEFAULT_K;
        if (m.containsKey("k")) {
            Object v = m.get("k");
            if (!(v instanceof Long)) throw new ApiException(400, "\"k\" must be an integer, got " + type(v));
            long kl = (Long) v;
            if (kl < 1 || kl > MAX_K) throw new ApiException(400, "\"k\" must be in 1.." + MAX_K + ", got " + kl);
            k = (int) kl;
        }
        List<String> exclude = m.containsKey("exclude") ? strings(m.get("exclude"), "exclude") : List.of();
        boolean excludeSeen = true;
        if (m.containsKey("exclude_seen")) {
            if (!(m.get("exclude_seen") instanceof Boolean)) {
                throw new ApiException(400, "\"exclude_seen\" must be true or false, got " + type(m.get("exclude_seen")));
            }
            excludeSeen = (Boolean) m.get("exclude_seen");
        }
        return new RecommendRequest(user, history, k, exclude, excludeSeen);
    }

    private static List<String> strings(Object v, String field) {
        if (!(v instanceof List)) throw new ApiException(400, "\"" + field + "\" must be an array of item id strings, got " + type(v));
        List<?> list = (List<?>) v;
        List<String> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            if (!(e instanceof String)) {
                throw new ApiException(400, "\"" + field + "\"[" + i + "] must be an item id string (e.g. \"50\"), got " + type(e));
            }
            out.add((String) e);
        }
        return out;
    }

    private static String type(Object v) {
        if (v == null) return "null";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        if (v instanceof List) return "an array";
        if (v instanceof Map) return "an object";
        if (v instanceof Long) return "the integer " + v;
        return "the number " + v;
    }
}
