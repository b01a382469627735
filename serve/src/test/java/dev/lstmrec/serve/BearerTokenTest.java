package dev.lstmrec.serve;

// The token file's checks and the Authorization header match (scheme case-insensitive, token exact).

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BearerTokenTest {
    @Test
    void matchesOnlyTheExactToken(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t");
        Files.writeString(f, "  0123456789abcdef0123\n");
        BearerToken t = BearerToken.read(f);
        assertTrue(t.accepts("Bearer 0123456789abcdef0123"));
        assertTrue(t.accepts("bearer 0123456789abcdef0123"));
        assertFalse(t.accepts("Bearer 0123456789abcdef012"));
        assertFalse(t.accepts("Bearer 0123456789abcdef01234"));
        assertFalse(t.accepts("Bearer 0123456789ABCDEF0123"));
        assertFalse(t.accepts("0123456789abcdef0123"));
        assertFalse(t.accepts("Bearer "));
        assertFalse(t.accepts(null));
    }

    @Test
    void refusesShortUnreadableOrMultiWordTokens(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t");
        Files.writeString(f, "short\n");
        IOException e = assertThrows(IOException.class, () -> BearerToken.read(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("at least 16"), e.getMessage());
        Files.writeString(f, "two words of a long enough token");
        assertTrue(assertThrows(IOException.class, () -> BearerToken.read(f)).getMessage().contains("not printable ASCII"));
        assertTrue(assertThrows(IOException.class, () -> BearerToken.read(dir.resolve("missing"))).getMessage().contains("cannot read"));
    }
}
