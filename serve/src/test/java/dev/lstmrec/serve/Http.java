package dev.lstmrec.serve;

// A tiny HTTP client for the serving tests: java.net.http over HTTP/1.1, answers as (status, headers, JSON read by
// Jackson with integers as Long).

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

final class Http {
    private static final ObjectMapper ANSWERS = JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build();

    record Answer(int status, HttpHeaders headers, String text) {
        Map<String, Object> json() {
            try {
                return ANSWERS.readValue(text, new TypeReference<Map<String, Object>>() {});
            } catch (JsonProcessingException e) {
                throw new AssertionError("answer is not a JSON object: " + text, e);
            }
        }

        String error() {
            return (String) json().get("error");
        }
    }

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI base;

    Http(URI base) {
        this.base = base;
    }

    Answer post(String path, String body) {
        return send("POST", path, body.getBytes(StandardCharsets.UTF_8));
    }

    Answer get(String path) {
        return send("GET", path, null);
    }

    Answer send(String method, String path, byte[] body) {
        try {
            return sendOrFail(method, path, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** POST with one extra header (e.g. Authorization). */
    Answer post(String path, String body, String header, String value) {
        try {
            return sendOrFail("POST", path, body.getBytes(StandardCharsets.UTF_8), header, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Answer sendOrFail(String method, String path, byte[] body) throws IOException {
        return sendOrFail(method, path, body, null, null);
    }

    private Answer sendOrFail(String method, String path, byte[] body, String header, String value) throws IOException {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (header != null) b.header(header, value);
        try {
            HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(r.statusCode(), r.headers(), r.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
