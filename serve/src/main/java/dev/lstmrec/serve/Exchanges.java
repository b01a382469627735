package dev.lstmrec.serve;

// Reading request bodies and writing JSON answers for every endpoint of the server: one place for the body limit
// (413, after draining a moderate excess so the client sees the answer), strict UTF-8, and the JSON response.
// Checked through RecommendationServerTest (413, bad UTF-8) and LiveEventsTest (the larger /events limit).

import com.sun.net.httpserver.HttpExchange;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Request bodies in, JSON answers out. */
final class Exchanges {
    private static final long DRAIN_BYTES = 1 << 20;
    private static final System.Logger LOG = System.getLogger(Exchanges.class.getName());

    private Exchanges() {}

    /** The body as UTF-8 text; 413 past {@code maxBytes}, 400 when it is not UTF-8 or cannot be read. */
    static String readBody(HttpExchange ex, int maxBytes) {
        long declared = -1;
        String length = ex.getRequestHeaders().getFirst("Content-Length");
        if (length != null) {
            try {
                declared = Long.parseLong(length.strip());
            } catch (NumberFormatException e) {
                declared = -1;
            }
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (InputStream in = ex.getRequestBody()) {
            if (declared > maxBytes) throw tooLarge(ex, in, declared - maxBytes <= DRAIN_BYTES, maxBytes);
            byte[] chunk = new byte[8192];
            for (int r; (r = in.read(chunk)) > 0; ) {
                buf.write(chunk, 0, r);
                if (buf.size() > maxBytes) throw tooLarge(ex, in, true, maxBytes);
            }
        } catch (IOException e) {
            throw new ApiException(400, "could not read the request body: " + e.getMessage());
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new ApiException(400, "request body is not valid UTF-8");
        }
    }

    /**
     * 413, after reading and dropping a moderate excess: closing a socket with unread input resets the connection,
     * and the client would see "connection reset" instead of the 413.
     */
    private static ApiException tooLarge(HttpExchange ex, InputStream in, boolean drain, int maxBytes) throws IOException {
        if (drain) {
            byte[] sink = new byte[8192];
            long left = DRAIN_BYTES;
            for (int r; left > 0 && (r = in.read(sink, 0, (int) Math.min(sink.length, left))) > 0; ) left -= r;
        }
        ex.getResponseHeaders().set("Connection", "close");
        return new ApiException(413, "request body larger than " + maxBytes + " bytes");
    }

    static void respond(HttpExchange ex, int status, Object body) {
        byte[] bytes = JsonCodec.write(body);
        try {
            ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException | IllegalStateException e) { // client gone, or headers already sent: nothing to answer
            LOG.log(System.Logger.Level.DEBUG, "could not send the response", e);
        }
    }

    /** 405 naming the allowed method, with the {@code Allow} header. */
    static ApiException wrongMethod(HttpExchange ex, String allowed) {
        ex.getResponseHeaders().set("Allow", allowed);
        String method = ex.getRequestMethod();
        return new ApiException(405, "method " + (method.length() > 20 ? method.substring(0, 20) + "..." : method)
                + " not allowed on " + RecommendRequest.clip(ex.getRequestURI().getRawPath()) + "; use " + allowed);
    }
}
