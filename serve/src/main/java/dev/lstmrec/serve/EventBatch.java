package dev.lstmrec.serve;

// The body of POST /events, parsed strictly (JsonCodec, Jackson): one event {"user", "item", "time"?} or a batch
// {"events": [...]}. Every event of a batch is checked before anything is written, and every invalid one is reported
// with its index, so a client can fix a batch in one round trip; a batch with any invalid event is refused whole.
// Checked by EventBatchTest and, over HTTP, by LiveEventsTest.

import com.fasterxml.jackson.databind.JsonNode;
import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.journal.JournalEvent;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Validated events of one {@code POST /events} request, in order. */
record EventBatch(List<JournalEvent> events) {
    /** Most events in one request. */
    static final int MAX_EVENTS = 1000;
    /** Longest user or item id, in UTF-8 bytes: the journal's limit (checked here too, to name the event). */
    static final int MAX_ID_BYTES = EventJournal.MAX_ID_BYTES;
    /** Largest body: 1,000 events with ids of 256 plain characters fit (about 540 KB). */
    static final int MAX_BODY_BYTES = 1 << 20;
    /** Latest accepted event time, in seconds since the epoch (the end of year 9999): catches milliseconds. */
    static final long MAX_TIME = 253_402_300_799L;
    private static final Set<String> EVENT_FIELDS = Set.of("user", "item", "time");

    /**
     * Parses and checks a body; events without {@code time} get {@code nowSeconds}.
     *
     * @throws ApiException 400 naming the field; for a batch with invalid events, {@code "refused"} lists each
     *                      ({@code {"index": i, "error": "..."}}) and nothing is accepted
     */
    static EventBatch parse(String body, long nowSeconds) {
        JsonNode m;
        try {
            m = JsonCodec.parse(body);
        } catch (JsonCodec.MalformedJson e) {
            throw refused("malformed JSON: " + e.getMessage(), List.of());
        }
        if (!m.isObject()) throw refused("malformed JSON: expected a JSON object, got " + RecommendRequest.type(m), List.of());
        if (!m.has("events")) {
            List<Map<String, Object>> problems = new ArrayList<>();
            JournalEvent e = event(m, "", nowSeconds, 0, problems);
            if (e == null) throw refused((String) problems.get(0).get("error"), problems);
            return new EventBatch(List.of(e));
        }
        for (Iterator<String> names = m.fieldNames(); names.hasNext(); ) {
            String key = names.next();
            if (!key.equals("events")) {
                throw refused("unknown field \"" + RecommendRequest.clip(key) + "\" beside \"events\" (a batch is {\"events\": [...]}"
                        + " and each event carries its own user, item, time)", List.of());
            }
        }
        JsonNode list = m.get("events");
        if (!list.isArray()) throw refused("\"events\" must be an array of events, got " + RecommendRequest.type(list), List.of());
        if (list.isEmpty()) throw refused("\"events\" is empty: give 1.." + MAX_EVENTS + " events", List.of());
        if (list.size() > MAX_EVENTS) {
            throw refused("batch too large: \"events\" holds " + list.size() + " events, at most " + MAX_EVENTS
                    + " per request", List.of());
        }
        List<JournalEvent> events = new ArrayList<>(list.size());
        List<Map<String, Object>> problems = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            JournalEvent e = event(list.get(i), "events[" + i + "].", nowSeconds, i, problems);
            if (e != null) events.add(e);
        }
        if (!problems.isEmpty()) {
            throw refused(problems.size() + " of " + list.size() + " events refused, nothing accepted (a batch is"
                    + " all or nothing); first: " + problems.get(0).get("error"), problems);
        }
        return new EventBatch(List.copyOf(events));
    }

    /** One event, or null after adding its first problem to {@code problems}. */
    private static JournalEvent event(JsonNode v, String prefix, long nowSeconds, int index, List<Map<String, Object>> problems) {
        try {
            if (!v.isObject()) throw new ApiException(400, "\"" + prefix.replaceAll("\\.$", "") + "\" must be an event object, got " + RecommendRequest.type(v));
            for (Iterator<String> names = v.fieldNames(); names.hasNext(); ) {
                String key = names.next();
                if (!EVENT_FIELDS.contains(key)) {
                    throw new ApiException(400, "unknown field \"" + prefix + RecommendRequest.clip(key) + "\" (an event has user, item, time"
                            + (prefix.isEmpty() ? "; a batch is {\"events\": [...]}" : "") + ")");
                }
            }
            String user = id(v, prefix, "user");
            String item = id(v, prefix, "item");
            long time = nowSeconds;
            if (v.has("time")) {
                JsonNode t = v.get("time");
                if (!t.isIntegralNumber()) {
                    throw new ApiException(400, "\"" + prefix + "time\" must be an integer number of seconds since 1970, got " + RecommendRequest.type(t));
                }
                if (!t.canConvertToLong() || t.longValue() < 0 || t.longValue() > MAX_TIME) {
                    throw new ApiException(400, "\"" + prefix + "time\" must be seconds since 1970 in 0.." + MAX_TIME
                            + " (not milliseconds), got " + RecommendRequest.clip(t.asText()));
                }
                time = t.longValue();
            }
            return new JournalEvent(user, item, time);
        } catch (ApiException e) {
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("index", index);
            p.put("error", e.getMessage());
            problems.add(p);
            return null;
        }
    }

    private static String id(JsonNode event, String prefix, String field) {
        String name = "\"" + prefix + field + "\"";
        JsonNode v = event.get(field);
        if (v == null) throw new ApiException(400, name + " is missing (an event is {\"user\": ID, \"item\": ID, \"time\": SECONDS})");
        if (!v.isTextual()) throw new ApiException(400, name + " must be a string id, got " + RecommendRequest.type(v));
        String id = v.textValue();
        if (id.isEmpty()) throw new ApiException(400, name + " is empty");
        int bytes = 0;
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new ApiException(400, name + " is not valid Unicode (an unpaired surrogate at character " + (i + 1) + ")");
            } else {
                bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        if (bytes > MAX_ID_BYTES) throw new ApiException(400, name + " is " + bytes + " bytes long in UTF-8, at most " + MAX_ID_BYTES);
        return id;
    }

    private static ApiException refused(String message, List<Map<String, Object>> problems) {
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("accepted", 0);
        extra.put("refused", problems);
        return new ApiException(400, message, extra);
    }
}
