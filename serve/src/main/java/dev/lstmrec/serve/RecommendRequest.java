package dev.lstmrec.serve;

// The body of POST /recommend, parsed strictly (JsonCodec, Jackson): known fields only, each of its exact JSON type.
// Every problem becomes an ApiException(400) whose message names the field and what was expected.
// Checked by RecommendRequestTest, RecommendationServerTest (error cases over HTTP) and the fuzz test.

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A recommendation query as sent by a client.
 *
 * @param user        external user id whose stored history to read, or null
 * @param history     external item ids in time order (after the user's stored history), or null
 * @param k           how many items, 1..{@value #MAX_K}
 * @param exclude     external item ids never to recommend (unknown ids are ignored: they cannot be recommended)
 * @param excludeSeen leave out the items of the history (stored and given); default true
 * @param explain     add, per recommended item, the history items that contributed most (occlusion); default false
 * @param explainTop  contributions per item with {@code explain}, 1..{@value #MAX_EXPLAIN_TOP}; default 3
 */
record RecommendRequest(String user, List<String> history, int k, List<String> exclude, boolean excludeSeen,
                        boolean explain, int explainTop) {
    static final int DEFAULT_K = 10;
    static final int MAX_K = 1000;
    static final int DEFAULT_EXPLAIN_TOP = 3;
    static final int MAX_EXPLAIN_TOP = 20;
    private static final Set<String> FIELDS = Set.of("user", "history", "k", "exclude", "exclude_seen", "explain", "explain_top");

    /** Parses and checks a request body; throws {@link ApiException} 400 with a precise message. */
    static RecommendRequest parse(String body) {
        JsonNode m;
        try {
            m = JsonCodec.parse(body);
        } catch (JsonCodec.MalformedJson e) {
            throw new ApiException(400, "malformed JSON: " + e.getMessage());
        }
        if (!m.isObject()) throw new ApiException(400, "malformed JSON: expected a JSON object, got " + type(m));
        for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!FIELDS.contains(key)) {
                throw new ApiException(400, "unknown field \"" + clip(key) + "\" (expected user, history, k, exclude, exclude_seen, explain, explain_top)");
            }
        }
        String user = null;
        if (m.has("user")) {
            if (!m.get("user").isTextual()) throw new ApiException(400, "\"user\" must be a string, got " + type(m.get("user")));
            user = m.get("user").textValue();
        }
        List<String> history = m.has("history") ? strings(m.get("history"), "history") : null;
        if (user == null && history == null) {
            throw new ApiException(400, "give \"user\" (a known user id), \"history\" (item ids in time order), or both");
        }
        int k = m.has("k") ? intIn(m.get("k"), "k", MAX_K) : DEFAULT_K;
        List<String> exclude = m.has("exclude") ? strings(m.get("exclude"), "exclude") : List.of();
        boolean excludeSeen = !m.has("exclude_seen") || bool(m.get("exclude_seen"), "exclude_seen");
        boolean explain = m.has("explain") && bool(m.get("explain"), "explain");
        int explainTop = m.has("explain_top") ? intIn(m.get("explain_top"), "explain_top", MAX_EXPLAIN_TOP) : DEFAULT_EXPLAIN_TOP;
        return new RecommendRequest(user, history, k, exclude, excludeSeen, explain, explainTop);
    }

    private static boolean bool(JsonNode v, String field) {
        if (!v.isBoolean()) throw new ApiException(400, "\"" + field + "\" must be true or false, got " + type(v));
        return v.booleanValue();
    }

    private static int intIn(JsonNode v, String field, int max) {
        if (!v.isIntegralNumber()) throw new ApiException(400, "\"" + field + "\" must be an integer, got " + type(v));
        if (!v.canConvertToInt() || v.intValue() < 1 || v.intValue() > max) {
            throw new ApiException(400, "\"" + field + "\" must be in 1.." + max + ", got " + clip(v.asText()));
        }
        return v.intValue();
    }

    private static List<String> strings(JsonNode v, String field) {
        if (!v.isArray()) throw new ApiException(400, "\"" + field + "\" must be an array of item id strings, got " + type(v));
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isTextual()) {
                throw new ApiException(400, "\"" + field + "\"[" + i + "] must be an item id string (e.g. \"50\"), got " + type(e));
            }
            out.add(e.textValue());
        }
        return out;
    }

    static String type(JsonNode v) {
        if (v.isNull()) return "null";
        if (v.isTextual()) return "a string";
        if (v.isBoolean()) return "a boolean";
        if (v.isArray()) return "an array";
        if (v.isObject()) return "an object";
        if (v.isIntegralNumber()) return "the integer " + clip(v.asText());
        return "the number " + clip(v.asText());
    }

    /** Echoed client text stays short: error messages must not grow with the request. */
    static String clip(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
