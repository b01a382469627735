package dev.lstmrec.engine.io;

// A small JSON writer and strict RFC 8259 parser with no dependency, for the engine's own files: reports, model
// metadata and the training state it writes itself. Untrusted input (HTTP request bodies) is parsed by the serve
// module with Jackson, never here.
// The parser bounds nesting depth before it recurses and turns every failure into a JsonException.
// Checked by JsonTest: escaping, round trips, a list of malformed inputs, and a seeded fuzz loop.

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes Java values as JSON and parses JSON into Java values.
 *
 * <p>Writing accepts {@code Map} (keys must be strings; iteration order is kept), {@code Iterable}, arrays
 * (object, {@code float[]}, {@code double[]}, {@code int[]}, {@code long[]}), {@code CharSequence},
 * {@code Number}, {@code Boolean} and {@code null}. Doubles and floats print with {@link Double#toString} /
 * {@link Float#toString}, which round-trip exactly; NaN and infinities become {@code null}.
 *
 * <p>Parsing returns {@code LinkedHashMap<String,Object>}, {@code ArrayList<Object>}, {@code String},
 * {@code Long} (integers without fraction or exponent that fit), {@code Double} (all other numbers),
 * {@code Boolean} or {@code null}. It is strict: one value, no comments, no trailing commas, no duplicate
 * keys, no leading zeros, no raw control characters in strings.
 */
public final class Json {
    /** Default and hard limits on nesting depth (objects and arrays). */
    public static final int DEFAULT_MAX_DEPTH = 64;
    public static final int MAX_DEPTH_LIMIT = 1000;

    private Json() {}

    /** Compact JSON for {@code value}. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, false).value(value, 0);
        return sb.toString();
    }

    /** JSON for {@code value} indented by two spaces per level, one member or element per line. */
    public static String writePretty(Object value) {
        StringBuilder sb = new StringBuilder();
        new Writer(sb, true).value(value, 0);
        return sb.toString();
    }

    /** Appends {@code s} as a quoted, escaped JSON string. */
    public static void quote(CharSequence s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029' || loneSurrogate(s, i)) {
                        // U+2028/9 break JavaScript string literals; lone surrogates cannot be UTF-8 encoded
                        unicodeEscape(c, out);
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }

    private static boolean loneSurrogate(CharSequence s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        if (Character.isLowSurrogate(c)) return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        return false;
    }

    private static void unicodeEscape(char c, StringBuilder out) {
        out.append("\\u");
        String hex = Integer.toHexString(c);
        for (int k = hex.length(); k < 4; k++) out.append('0');
        out.append(hex);
    }

    /** Parses {@code text} with the default depth limit of {@value #DEFAULT_MAX_DEPTH}. */
    public static Object parse(String text) {
        return parse(text, DEFAULT_MAX_DEPTH);
    }

    /**
     * Parses exactly one JSON value (surrounding whitespace allowed). Any malformed input, including nesting
     * deeper than {@code maxDepth}, raises {@link JsonException} with the position; nothing else is thrown.
     *
     * @param maxDepth 1 to {@value #MAX_DEPTH_LIMIT}
     */
    public static Object parse(String text, int maxDepth) {
        if (maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
            throw new JsonException("maxDepth must be in 1.." + MAX_DEPTH_LIMIT + ", got " + maxDepth, -1);
        }
        if (text == null) throw new JsonException("no input (null)", 0);
        Parser p = new Parser(text, maxDepth);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos < text.length()) throw p.error("unexpected " + p.describe() + " after the value");
        return v;
    }

    /** Parses {@code text} and requires a JSON object at the top. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> parseObject(String text) {
        Object v = parse(text);
        if (!(v instanceof Map)) throw new JsonException("expected a JSON object, got " + typeName(v), 0);
        return (Map<String, Object>) v;
    }

    private static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof List) return "an array";
        if (v instanceof String) return "a string";
        if (v instanceof Boolean) return "a boolean";
        return "a number";
    }

    // ---------------------------------------------------------------- writer

    private static final class Writer {
        private final StringBuilder sb;
        private final boolean pretty;

        Writer(StringBuilder sb, boolean pretty) {
            this.sb = sb;
            this.pretty = pretty;
        }

        void value(Object v, int depth) {
            if (depth > MAX_DEPTH_LIMIT) {
                throw new JsonException("value nested deeper than " + MAX_DEPTH_LIMIT + " (a cycle?)", -1);
            }
            if (v == null) {
                sb.append("null");
            } else if (v instanceof CharSequence) {
                quote((CharSequence) v, sb);
            } else if (v instanceof Boolean) {
                sb.append(v.toString());
            } else if (v instanceof Number) {
                number((Number) v);
            } else if (v instanceof Map) {
                object((Map<?, ?>) v, depth);
            } else if (v instanceof Iterable) {
                List<Object> items = new ArrayList<>();
                for (Object o : (Iterable<?>) v) items.add(o);
                array(items, depth);
            } else if (v instanceof Object[]) {
                array(Arrays.asList((Object[]) v), depth);
            } else if (v instanceof float[]) {
                float[] a = (float[]) v;
                List<Object> items = new ArrayList<>(a.length);
                for (float x : a) items.add(x);
                array(items, depth);
            } else if (v instanceof double[]) {
                List<Object> items = new ArrayList<>();
                for (double x : (double[]) v) items.add(x);
                array(items, depth);
            } else if (v instanceof int[]) {
                List<Object> items = new ArrayList<>();
                for (int x : (int[]) v) items.add(x);
                array(items, depth);
            } else if (v instanceof long[]) {
                List<Object> items = new ArrayList<>();
                for (long x : (long[]) v) items.add(x);
                array(items, depth);
            } else {
                throw new JsonException("cannot write a " + v.getClass().getName() + " as JSON", -1);
            }
        }

        private void number(Number n) {
            if (n instanceof Double || n instanceof Float) {
                double d = n.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) sb.append("null");
                else sb.append(n instanceof Float ? Float.toString(n.floatValue()) : Double.toString(d));
            } else if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte
                    || n instanceof BigInteger) {
                sb.append(n.toString());
            } else if (n instanceof BigDecimal) {
                sb.append(((BigDecimal) n).toString());
            } else {
                number(n.doubleValue());
            }
        }

        private void object(Map<?, ?> m, int depth) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new JsonException("map key " + e.getKey() + " is not a string", -1);
                }
                if (!first) sb.append(',');
                first = false;
                newline(depth + 1);
                quote((String) e.getKey(), sb);
                sb.append(pretty ? ": " : ":");
                value(e.getValue(), depth + 1);
            }
            newline(depth);
            sb.append('}');
        }

        private void array(List<?> items, int depth) {
            if (items.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            for (int i = 0; i < items.size(); i++) {
                if (i > 0) sb.append(',');
                newline(depth + 1);
                value(items.get(i), depth + 1);
            }
            newline(depth);
            sb.append(']');
        }

        private void newline(int depth) {
            if (!pretty) return;
            sb.append('\n');
            for (int i = 0; i < depth; i++) sb.append("  ");
        }
    }

    // ---------------------------------------------------------------- parser

    private static final class Parser {
        private final String s;
        private final int maxDepth;
        int pos;

        Parser(String s, int maxDepth) {
            this.s = s;
            this.maxDepth = maxDepth;
        }

        JsonException error(String message) {
            return new JsonException(message, pos);
        }

        String describe() {
            if (pos >= s.length()) return "end of input";
            char c = s.charAt(pos);
            if (c >= 0x20 && c < 0x7F) return "'" + c + "'";
            return String.format("character U+%04X", (int) c);
        }

        void skipWhitespace() {
            while (pos < s.length()) {
                char c = s.charAt(pos);
                if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
                pos++;
            }
        }

        Object value(int depth) {
            if (pos >= s.length()) throw error("unexpected end of input, expected a value");
            char c = s.charAt(pos);
            switch (c) {
                case '{': return object(depth + 1);
                case '[': return array(depth + 1);
                case '"': return string();
                case 't': return literal("true", Boolean.TRUE);
                case 'f': return literal("false", Boolean.FALSE);
                case 'n': return literal("null", null);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) return number();
                    throw error("unexpected " + describe() + ", expected a value");
            }
        }

        private Object literal(String word, Object v) {
            if (!s.startsWith(word, pos)) throw error("invalid literal, expected '" + word + "'");
            pos += word.length();
            return v;
        }

        private void enter(int depth) {
            if (depth > maxDepth) throw error("nesting deeper than " + maxDepth + " levels");
        }

        private Map<String, Object> object(int depth) {
            enter(depth);
            pos++; // '{'
            Map<String, Object> m = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == '}') {
                pos++;
                return m;
            }
            while (true) {
                skipWhitespace();
                if (pos >= s.length() || s.charAt(pos) != '"') throw error("expected a string key, got " + describe());
                int keyPos = pos;
                String key = string();
                skipWhitespace();
                expect(':', "after object key");
                skipWhitespace();
                Object v = value(depth);
                if (m.containsKey(key)) {
                    pos = keyPos;
                    throw error("duplicate key \"" + key + "\"");
                }
                m.put(key, v);
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect('}', "to close the object");
                return m;
            }
        }

        private List<Object> array(int depth) {
            enter(depth);
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < s.length() && s.charAt(pos) == ']') {
                pos++;
                return list;
            }
            while (true) {
                skipWhitespace();
                list.add(value(depth));
                skipWhitespace();
                if (pos < s.length() && s.charAt(pos) == ',') {
                    pos++;
                    continue;
                }
                expect(']', "to close the array");
                return list;
            }
        }

        private void expect(char c, String why) {
            if (pos >= s.length() || s.charAt(pos) != c) throw error("expected '" + c + "' " + why + ", got " + describe());
            pos++;
        }

        private String string() {
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= s.length()) throw error("unterminated string");
                char c = s.charAt(pos);
                if (c == '"') {
                    String tail = s.substring(runStart, pos);
                    pos++;
                    return sb == null ? tail : sb.append(tail).toString();
                }
                if (c < 0x20) throw error("raw control character U+" + String.format("%04X", (int) c) + " in string");
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) sb = new StringBuilder();
                sb.append(s, runStart, pos);
                pos++;
                if (pos >= s.length()) throw error("unterminated escape sequence");
                char e = s.charAt(pos);
                switch (e) {
                    case '"': sb.append('"'); break;
                    case '\\': sb.append('\\'); break;
                    case '/': sb.append('/'); break;
                    case 'b': sb.append('\b'); break;
                    case 'f': sb.append('\f'); break;
                    case 'n': sb.append('\n'); break;
                    case 'r': sb.append('\r'); break;
                    case 't': sb.append('\t'); break;
                    case 'u': sb.append(hex4()); pos += 4; break;
                    default: throw error("invalid escape '\\" + (e >= 0x20 && e < 0x7F ? String.valueOf(e) : "?") + "'");
                }
                pos++;
                runStart = pos;
            }
        }

        private char hex4() {
            if (pos + 4 >= s.length()) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 1; i <= 4; i++) {
                int d = hexDigit(s.charAt(pos + i));
                if (d < 0) throw error("invalid hex digit in \\u escape");
                v = v * 16 + d;
            }
            return (char) v;
        }

        private static int hexDigit(char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        }

        private Object number() {
            int start = pos;
            boolean integral = true;
            if (s.charAt(pos) == '-') pos++;
            if (pos < s.length() && s.charAt(pos) == '0') {
                pos++;
                if (pos < s.length() && isDigit(s.charAt(pos))) throw error("leading zeros are not allowed");
            } else {
                digits("a digit");
            }
            if (pos < s.length() && s.charAt(pos) == '.') {
                integral = false;
                pos++;
                digits("a digit after the decimal point");
            }
            if (pos < s.length() && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                integral = false;
                pos++;
                if (pos < s.length() && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) pos++;
                digits("a digit in the exponent");
            }
            String text = s.substring(start, pos);
            if (integral && pos - start <= 20) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException overflow) {
                    // beyond long: fall through to double
                }
            }
            double d = Double.parseDouble(text); // the grammar above admits only valid Java syntax
            if (Double.isInfinite(d)) {
                pos = start;
                throw error("number " + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + " is out of range");
            }
            return d;
        }

        private void digits(String what) {
            int start = pos;
            while (pos < s.length() && isDigit(s.charAt(pos))) pos++;
            if (pos == start) throw error("expected " + what + ", got " + describe());
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }
    }
}
