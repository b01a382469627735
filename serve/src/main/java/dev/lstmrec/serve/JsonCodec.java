package dev.lstmrec.serve;

// JSON for the HTTP API, through one configured Jackson mapper: request bodies are untrusted, so parsing is strict
// (one value, no trailing content, duplicate keys rejected, nesting bounded) and every failure is one
// MalformedJson with a short message and position. Responses are written from plain maps and lists.
// Checked by RecommendRequestTest (strictness cases) and ServerFuzzTest (mutated bodies over HTTP).

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.util.regex.Pattern;

/** Parses request JSON strictly and writes response JSON. Thread-safe. */
final class JsonCodec {
    /** Deepest nesting of objects and arrays accepted in a request (a request needs 2). */
    static final int MAX_DEPTH = 64;
    /** Longest problem description echoed back to a client. */
    private static final int MAX_MESSAGE = 200;
    /** "[Source: REDACTED (...); line: 1, column: 1]" inside Jackson's messages: only the position is of use. */
    private static final Pattern SOURCE = Pattern.compile("\\[Source: [^;\\]]*; (line: \\d+, column: \\d+)\\]");

    // Jackson's defaults already refuse comments, single quotes, unquoted names, leading zeros, NaN/Infinity,
    // trailing commas and raw control characters in strings; duplicate keys and depth are added here.
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).build())
                    .build())
            .build();

    /** Malformed request JSON; the message says what and where, without echoing more than a short excerpt. */
    static final class MalformedJson extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedJson(String message) {
            super(message, null, false, false);
        }
    }

    private JsonCodec() {}

    /** Exactly one JSON value, surrounded by nothing but whitespace. */
    static JsonNode parse(String text) throws MalformedJson {
        try (JsonParser p = MAPPER.createParser(text)) {
            JsonNode value = MAPPER.readTree(p);
            if (value == null || value.isMissingNode()) throw new MalformedJson("no JSON value (empty body)");
            if (p.nextToken() != null) throw new MalformedJson("unexpected content after the JSON value" + at(p.currentTokenLocation()));
            return value;
        } catch (JacksonException e) {
            String message = e.getOriginalMessage() == null ? e.getClass().getSimpleName()
                    : SOURCE.matcher(e.getOriginalMessage()).replaceAll("$1");
            if (message.length() > MAX_MESSAGE) message = message.substring(0, MAX_MESSAGE) + "...";
            throw new MalformedJson(message + at(e.getLocation()));
        } catch (IOException e) { // a String source has no I/O; kept total so nothing else can escape
            throw new MalformedJson(e.toString());
        }
    }

    private static String at(JsonLocation where) {
        return where == null || where.getLineNr() < 1 ? "" : " at line " + where.getLineNr() + ", column " + where.getColumnNr();
    }

    /** Compact JSON for maps, lists, strings, numbers, booleans and null. */
    static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a response as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** {@link #write} as a string (load-test bodies). */
    static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write a value as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
