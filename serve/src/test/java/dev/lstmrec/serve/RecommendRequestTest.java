package dev.lstmrec.serve;

// RecommendRequest.parse without HTTP: fields and defaults; every non-JSON or not-quite-JSON body (trailing content,
// duplicate keys, comments, leading zeros, NaN, raw control characters, nesting past the limit) is a 400 "malformed
// JSON"; wrong types and ranges name the field; error messages stay short whatever the body.

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecommendRequestTest {
    private static ApiException refused(String body) {
        ApiException e = assertThrows(ApiException.class, () -> RecommendRequest.parse(body), () -> "accepted: " + body);
        assertEquals(400, e.status(), e.getMessage());
        return e;
    }

    @Test
    void fieldsAndDefaults() {
        RecommendRequest r = RecommendRequest.parse(" {\"user\": \"u1\", \"history\": [\"a\", \"\\u00e9\"], \"k\": 7,"
                + " \"exclude\": [\"b\"], \"exclude_seen\": false}\n");
        assertEquals(new RecommendRequest("u1", List.of("a", "\u00e9"), 7, List.of("b"), false, false, RecommendRequest.DEFAULT_EXPLAIN_TOP), r);
        RecommendRequest d = RecommendRequest.parse("{\"history\": [\"a\"]}");
        assertNull(d.user());
        assertEquals(RecommendRequest.DEFAULT_K, d.k());
        assertEquals(List.of(), d.exclude());
        assertTrue(d.excludeSeen());
        assertEquals(1000, RecommendRequest.parse("{\"user\": \"x\", \"k\": 1000}").k());
        RecommendRequest e = RecommendRequest.parse("{\"user\": \"x\", \"explain\": true, \"explain_top\": 5}");
        assertTrue(e.explain());
        assertEquals(5, e.explainTop());
    }

    @Test
    void explainFieldsAreChecked() {
        assertTrue(refused("{\"user\": \"x\", \"explain\": 1}").getMessage().contains("\"explain\" must be true or false"));
        assertTrue(refused("{\"user\": \"x\", \"explain_top\": 0}").getMessage().contains("\"explain_top\" must be in 1..20"));
        assertTrue(refused("{\"user\": \"x\", \"explain_top\": 21}").getMessage().contains("got 21"));
        assertTrue(refused("{\"user\": \"x\", \"explain_top\": \"3\"}").getMessage().contains("must be an integer"));
    }

    @Test
    void notQuiteJsonIsMalformed() {
        String[] bodies = {
            "", "   ", "nul", "{", "{\"user\": \"a\"", "{\"user\": \"a\",}", "{\"history\": [\"a\",]}",
            "{\"user\": \"a\"} x", "{\"user\": \"a\"}{}", "{\"user\": \"a\"} {\"user\": \"b\"}",
            "{\"user\": \"a\", \"user\": \"b\"}", "{\"history\": [\"a\"], \"k\": 1, \"k\": 2}",
            "{'user': 'a'}", "{user: \"a\"}", "{\"user\": \"a\"} // comment", "/* c */ {\"user\": \"a\"}",
            "{\"history\": [\"a\"], \"k\": 01}", "{\"history\": [\"a\"], \"k\": NaN}", "{\"history\": [\"a\"], \"k\": +3}",
            "{\"user\": \"a\u0001b\"}", "{\"user\": \"a\\x\"}", "{\"user\": \"\\u12\"}",
            "{\"exclude\": " + "[".repeat(64) + "]".repeat(64) + ", \"user\": \"a\"}",
        };
        for (String body : bodies) {
            String message = refused(body).getMessage();
            assertTrue(message.startsWith("malformed JSON: "), body + " -> " + message);
        }
        assertTrue(refused("{\"user\": \"a\", \"user\": \"b\"}").getMessage().contains("Duplicate field 'user'"));
        assertTrue(refused("{\"user\": \"a\"}\n x").getMessage().contains("line 2"), "the position is given");
        assertEquals("malformed JSON: Unexpected end-of-input: expected close marker for Object (start marker at line: 1,"
                + " column: 1) at line 1, column 13", refused("{\"user\": \"a\"").getMessage());
    }

    @Test
    void nestingUpToTheLimitIsJsonButTheWrongType() {
        // 63 arrays inside the top-level object: 64 levels, the limit; parsed, then refused for its type.
        String message = refused("{\"exclude\": " + "[".repeat(63) + "]".repeat(63) + ", \"user\": \"a\"}").getMessage();
        assertEquals("\"exclude\"[0] must be an item id string (e.g. \"50\"), got an array", message);
    }

    @Test
    void wrongTypesAndRangesNameTheField() {
        assertEquals("malformed JSON: expected a JSON object, got an array", refused("[\"a\"]").getMessage());
        assertEquals("malformed JSON: expected a JSON object, got null", refused("null").getMessage());
        assertEquals("\"user\" must be a string, got the integer 7", refused("{\"user\": 7}").getMessage());
        assertEquals("\"k\" must be an integer, got the number 100.0", refused("{\"user\": \"a\", \"k\": 1e2}").getMessage());
        assertEquals("\"k\" must be an integer, got a string", refused("{\"user\": \"a\", \"k\": \"5\"}").getMessage());
        assertEquals("\"k\" must be in 1..1000, got 0", refused("{\"user\": \"a\", \"k\": -0}").getMessage());
        assertEquals("\"k\" must be in 1..1000, got 99999999999999999999",
                refused("{\"user\": \"a\", \"k\": 99999999999999999999}").getMessage());
        assertEquals("\"history\"[1] must be an item id string (e.g. \"50\"), got a boolean",
                refused("{\"history\": [\"a\", true]}").getMessage());
        assertEquals("\"exclude_seen\" must be true or false, got the integer 1",
                refused("{\"history\": [\"a\"], \"exclude_seen\": 1}").getMessage());
        assertTrue(refused("{\"histroy\": [\"a\"]}").getMessage().startsWith("unknown field \"histroy\""));
        assertTrue(refused("{\"k\": 5}").getMessage().startsWith("give \"user\""));
    }

    @Test
    void messagesStayShort() {
        String longName = "x".repeat(50_000);
        String[] bodies = {
            "{\"" + longName + "\": 1}", "{\"user\": " + longName + "}", "{\"user\": \"a\", \"k\": " + "9".repeat(900) + "}",
            "{\"user\": \"a\", \"k\": " + "1".repeat(5000) + "}", "{\"user\": \"a\"} " + longName,
        };
        for (String body : bodies) {
            String message = refused(body).getMessage();
            assertTrue(message.length() < 400, () -> message.length() + " chars: " + message.substring(0, 100));
            assertFalse(message.contains("x".repeat(300)));
        }
    }
}
