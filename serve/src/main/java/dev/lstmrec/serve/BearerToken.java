package dev.lstmrec.serve;

// The shared secret that write endpoints (POST /events) require when the server runs with --token-file: clients send
// "Authorization: Bearer <token>". Both sides are hashed with SHA-256 and compared with MessageDigest.isEqual, so
// the comparison takes the same time whatever the token's length or where a guess first differs.
// Checked by BearerTokenTest and, over HTTP, by LiveEventsTest.

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A bearer token read from a file; {@link #accepts} checks an {@code Authorization} header in constant time. */
public final class BearerToken {
    /** Shortest token accepted: a guessable token protects nothing. */
    public static final int MIN_CHARS = 16;
    private static final String SCHEME = "Bearer ";

    private final byte[] digest;

    private BearerToken(String token) {
        this.digest = sha256(token);
    }

    /**
     * The token in {@code file}: its content without surrounding whitespace (a trailing newline is usual). It must be
     * at least {@value #MIN_CHARS} printable ASCII characters without spaces, as an HTTP header carries it.
     *
     * @throws IOException naming the file when it cannot be read or does not hold such a token
     */
    public static BearerToken read(Path file) throws IOException {
        String token;
        try {
            token = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IOException("cannot read the token file " + file + ": " + e.getMessage(), e);
        }
        if (token.length() < MIN_CHARS) {
            throw new IOException("token file " + file + " holds " + token.length() + " characters; a token needs at least "
                    + MIN_CHARS + " (e.g. `openssl rand -hex 32 > " + file + "`)");
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c <= ' ' || c > '~') {
                throw new IOException("token file " + file + ": character " + (i + 1) + " is not printable ASCII"
                        + " (a token is one line without spaces)");
            }
        }
        return new BearerToken(token);
    }

    /** Whether an {@code Authorization} header value (may be null) carries this token. */
    boolean accepts(String authorization) {
        if (authorization == null || authorization.length() < SCHEME.length()
                || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            return false;
        }
        return MessageDigest.isEqual(digest, sha256(authorization.substring(SCHEME.length()).strip()));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is required of every JVM", e);
        }
    }
}
