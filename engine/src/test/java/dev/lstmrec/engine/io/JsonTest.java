package dev.lstmrec.engine.io;

// Checks Json against RFC 8259: exact output for escapes, numbers and pretty printing; write/parse round trips
// of random documents; a list of malformed inputs that must each raise JsonException; and a seeded fuzz loop
// over random and mutated text in which any exception other than JsonException is a failure.

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void escapesStrings() {
        assertEquals("\"a\\\"b\\\\c/d\"", Json.write("a\"b\\c/d"));
        assertEquals("\"\\n\\r\\t\\b\\f\\u0000\\u001f\\u007f\"", Json.write("\n\r\t\b\f\u0000\u001f\u007f"));
        assertEquals("\"é 商品 😀\"", Json.write("é 商品 😀"));
        assertEquals("\"\\u2028\\u2029\"", Json.write("\u2028\u2029"));
        assertEquals("\"x\\ud800y\\udc00\"", Json.write("x\uD800y\uDC00"));
    }

    @Test
    void writesNumbersAndLiterals() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("i", 42);
        m.put("l", -9_000_000_000L);
        m.put("d", 0.1);
        m.put("f", 0.1f);
        m.put("big", 1e300);
        m.put("nan", Double.NaN);
        m.put("inf", Float.NEGATIVE_INFINITY);
        m.put("t", true);
        m.put("n", null);
        assertEquals("{\"i\":42,\"l\":-9000000000,\"d\":0.1,\"f\":0.1,\"big\":1.0E300,\"nan\":null,\"inf\":null,"
                + "\"t\":true,\"n\":null}", Json.write(m));
        assertEquals("[1.5,-2.0]", Json.write(new float[] {1.5f, -2f}));
        assertEquals("[1,2]", Json.write(new int[] {1, 2}));
        assertEquals("[\"a\",null]", Json.write(new Object[] {"a", null}));
        assertEquals(0.1f, ((Double) Json.parse(Json.write(0.1f))).floatValue());
    }

    @Test
    void prettyPrintsWithTwoSpaces() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", List.of(1L, List.of()));
        m.put("a", Map.of());
        assertEquals("{\n  \"b\": [\n    1,\n    []\n  ],\n  \"a\": {}\n}", Json.writePretty(m));
        assertEquals(m, Json.parse(Json.writePretty(m)));
    }

    @Test
    void rejectsUnwritableValues() {
        assertThrows(JsonException.class, () -> Json.write(new Object()));
        assertThrows(JsonException.class, () -> Json.write(Map.of(1, "x")));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(JsonException.class, () -> Json.write(cycle));
    }

    @Test
    void parsesTypesExactly() {
        Object v = Json.parse(" {\"a\": [1, -0, 2.5, 1e2, -1E-2, 9223372036854775807, 9223372036854775808],"
                + " \"s\": \"\\u00e9\\ud83d\\ude00\\/\\n\", \"t\": true, \"f\": false, \"n\": null} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of(1L, 0L, 2.5, 100.0, -0.01, Long.MAX_VALUE, 9.223372036854775808E18), m.get("a"));
        assertEquals("é😀/\n", m.get("s"));
        assertEquals(Arrays.asList("a", "s", "t", "f", "n"), new ArrayList<>(m.keySet()));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertTrue(m.containsKey("n") && m.get("n") == null);
        assertEquals("x", Json.parse("\"x\""));
        assertEquals(-12L, Json.parse("-12"));
    }

    @Test
    void rejectsMalformedInputWithPosition() {
        String[] bad = {
            "", " ", "{", "}", "[", "]", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":}",
            "{\"a\":1 \"b\":2}", "[1 2]", "01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Infinity",
            "-Infinity", "tru", "truee", "nul", "True", "\"abc", "\"\\x\"", "\"\\u12G4\"", "\"\\u12\"",
            "\"tab\there\"", "\"nl\nhere\"", "1 2", "[] []", "{\"a\":1}x", "// c\n1", "/* c */ 1", "[1]\u0000",
            "\uFEFF1", "1e400", "-1e400", "{\"a\":1,\"a\":2}", "[\"\\\"]", "\u00a01", "[1,\u00a02]", "{\"a\"}",
            "\"\\u0000", "\"\\", "\"\\u", "[[[]]", "{\"a\":[}]",
        };
        for (String s : bad) {
            JsonException e = assertThrows(JsonException.class, () -> Json.parse(s), () -> "accepted: " + s);
            assertTrue(e.position() >= 0 && e.position() <= s.length(), s + " -> " + e.getMessage());
            assertTrue(e.getMessage().contains("at position " + e.position()), e.getMessage());
        }
        assertThrows(JsonException.class, () -> Json.parse(null));
        assertEquals(8, assertThrows(JsonException.class, () -> Json.parse("{\"a\":1,\"a\":2}")).position() + 1);
        assertEquals(3, assertThrows(JsonException.class, () -> Json.parse("[1,]")).position());
    }

    @Test
    void limitsNestingDepthWithoutRecursingFurther() {
        Object deepest = Json.parse("[".repeat(63) + "7" + "]".repeat(63));
        for (int i = 0; i < 63; i++) deepest = ((List<?>) deepest).get(0);
        assertEquals(7L, deepest);
        assertEquals(1, ((List<?>) Json.parse("[".repeat(64) + "]".repeat(64))).size());
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[".repeat(65) + "]".repeat(65)));
        assertTrue(e.getMessage().contains("nesting deeper than 64"), e.getMessage());
        assertThrows(JsonException.class, () -> Json.parse("[".repeat(1_000_000)));
        assertThrows(JsonException.class, () -> Json.parse("{\"a\":".repeat(100_000)));
        assertEquals(List.of(List.of()), Json.parse("[[]]", 2));
        assertThrows(JsonException.class, () -> Json.parse("[[]]", 1));
        assertThrows(JsonException.class, () -> Json.parse("1", 0));
    }

    private static Object randomValue(Random r, int depth) {
        int kind = depth > 4 ? r.nextInt(5) : r.nextInt(7);
        switch (kind) {
            case 0: return null;
            case 1: return r.nextBoolean();
            case 2: return r.nextBoolean() ? (Object) r.nextLong() : (Object) (long) r.nextInt(100);
            case 3: {
                double d = r.nextBoolean() ? r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20)
                        : Double.longBitsToDouble(r.nextLong());
                return Double.isFinite(d) && d != Math.rint(d) ? d : 0.5;
            }
            case 4: return randomString(r);
            case 5: {
                List<Object> l = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) l.add(randomValue(r, depth + 1));
                return l;
            }
            default: {
                Map<String, Object> m = new LinkedHashMap<>();
                for (int i = r.nextInt(4); i > 0; i--) m.put(randomString(r), randomValue(r, depth + 1));
                return m;
            }
        }
    }

    private static String randomString(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(8); i > 0; i--) {
            int k = r.nextInt(6);
            if (k == 0) sb.append((char) r.nextInt(0x20));
            else if (k == 1) sb.append("\"\\/");
            else if (k == 2) sb.appendCodePoint(0x1F600 + r.nextInt(50));
            else if (k == 3) sb.append((char) (0x80 + r.nextInt(0x700)));
            else sb.append((char) ('a' + r.nextInt(26)));
        }
        return sb.toString();
    }

    @Test
    void writeThenParseRoundTrips() {
        Random r = new Random(1234);
        for (int i = 0; i < 2000; i++) {
            Object v = randomValue(r, 0);
            assertEquals(v, Json.parse(Json.write(v)), "compact");
            assertEquals(v, Json.parse(Json.writePretty(v)), "pretty");
        }
    }

    @Test
    void fuzzedInputOnlyEverRaisesJsonException() {
        Random r = new Random(20261128);
        String alphabet = "{}[]:,\"\\/ \t\n-+.eE0123456789tfnrula\u0000\u001f\u00e9\uD83D\uDE00\uD800x";
        long deadline = System.nanoTime() + 1_000_000_000L;
        int accepted = 0, rejected = 0;
        for (int i = 0; i < 20_000 && System.nanoTime() < deadline; i++) {
            String s;
            if (i % 3 == 0) {
                StringBuilder sb = new StringBuilder();
                for (int k = r.nextInt(30); k > 0; k--) sb.append(alphabet.charAt(r.nextInt(alphabet.length())));
                s = sb.toString();
            } else {
                StringBuilder sb = new StringBuilder(Json.write(randomValue(r, 0)));
                for (int m = 1 + r.nextInt(3); m > 0 && sb.length() > 0; m--) {
                    int p = r.nextInt(sb.length());
                    switch (r.nextInt(4)) {
                        case 0: sb.setCharAt(p, alphabet.charAt(r.nextInt(alphabet.length()))); break;
                        case 1: sb.deleteCharAt(p); break;
                        case 2: sb.insert(p, alphabet.charAt(r.nextInt(alphabet.length()))); break;
                        default: sb.setLength(p); break;
                    }
                }
                s = sb.toString();
            }
            try {
                Json.parse(s);
                accepted++;
            } catch (JsonException expected) {
                rejected++;
            } catch (RuntimeException | StackOverflowError unexpected) {
                fail("input " + Json.write(s) + " raised " + unexpected, unexpected);
            }
        }
        assertTrue(accepted > 100 && rejected > 1000, "fuzz exercised both paths: " + accepted + "/" + rejected);
    }
}
