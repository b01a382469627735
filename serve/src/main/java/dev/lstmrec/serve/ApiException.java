package dev.lstmrec.serve;

// A request the server refuses, with the HTTP status and the JSON body to answer with.
// Thrown while parsing and resolving a request; RecommendationServer turns it into the response.
// Checked through the HTTP error cases of RecommendationServerTest.

import java.util.LinkedHashMap;
import java.util.Map;

/** A client error (or overload) carrying its HTTP status, message and any extra JSON fields. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final transient Map<String, Object> extra;

    ApiException(int status, String message) {
        this(status, message, Map.of());
    }

    ApiException(int status, String message, Map<String, Object> extra) {
        super(message, null, false, false); // a client error, not a bug: no stack trace to fill
        this.status = status;
        this.extra = extra;
    }

    int status() {
        return status;
    }

    /** The response body: {@code {"error": message, ...extra}}. */
    Map<String, Object> body() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", getMessage());
        m.putAll(extra);
        return m;
    }
}
