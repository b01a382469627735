package dev.lstmrec.engine.data;

// Property-based fuzzing of DataReader with jqwik (200 tries per property by default, see junit-platform.properties;
// docs/testing.md shows a long run). Whatever the bytes, a read returns a consistent Dataset or throws an IOException
// (DataFormatException included) whose message names the file; never another exception, never a hang. Well-formed
// logs in every format round-trip with their counts and each user's time order. The oracle for the round trip is
// the generator's own list of interactions, stably sorted by time.

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class DataReaderFuzzTest {
    /** A read of a file of at most a few kilobytes that takes longer than this is a hang. */
    private static final long READ_TIMEOUT_S = 10;

    private static Path dir;
    private static ExecutorService pool;

    @BeforeContainer
    static void setUp() throws IOException {
        dir = Files.createTempDirectory("lstmrec-fuzz");
        pool = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "reader-fuzz");
            t.setDaemon(true); // a hung read must not keep the test JVM alive
            return t;
        });
    }

    @AfterContainer
    static void tearDown() throws IOException {
        pool.shutdownNow();
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) Files.deleteIfExists(p);
        }
        Files.deleteIfExists(dir);
    }

    /** One fuzzed input: the options to read with and the lines of the file. */
    record FuzzCase(ReadOptions options, List<String> lines, String newline, boolean bom) {
        byte[] bytes() {
            String text = (bom ? "\uFEFF" : "") + String.join(newline, lines);
            return text.getBytes(StandardCharsets.UTF_8);
        }
    }

    // ---- the properties ----------------------------------------------------------------------------------------

    @Property
    void mutatedLinesAreReadOrRejectedNamingTheFile(@ForAll("cases") FuzzCase c) throws Exception {
        Path file = write(".data", c.bytes());
        Statistics.collect(readOrReject(file, c.options()) ? "dataset" : "rejected");
        // Both outcomes must be common, or the generator has drifted into testing only one path.
        Statistics.coverage(check -> {
            check.check("dataset").percentage(p -> p >= 10);
            check.check("rejected").percentage(p -> p >= 10);
        });
    }

    @Property
    void gzippedAndTruncatedFilesAreReadOrRejectedNamingTheFile(@ForAll("cases") FuzzCase c,
                                                                @ForAll("fractions") double keep) throws Exception {
        byte[] gz = gzip(c.bytes());
        Path file = write(".data.gz", Arrays.copyOf(gz, Math.max(0, (int) Math.round(gz.length * keep))));
        readOrReject(file, c.options());
    }

    @Property
    void arbitraryBytesAreReadOrRejectedNamingTheFile(@ForAll @Size(max = 400) byte[] bytes,
                                                      @ForAll("plainOptions") ReadOptions options,
                                                      @ForAll boolean gzName) throws Exception {
        Path file = write(gzName ? ".gz" : ".txt", bytes);
        readOrReject(file, options);
    }

    @Property
    void wellFormedLogsRoundTrip(@ForAll("logs") List<Row> rows, @ForAll("writers") Writer writer,
                                 @ForAll boolean detect, @ForAll boolean bom, @ForAll boolean gz) throws Exception {
        byte[] plain = String.join("\n", writer.lines(rows)).getBytes(StandardCharsets.UTF_8);
        byte[] bytes = bom ? withBom(plain) : plain;
        Path file = write(gz ? ".data.gz" : ".data", gz ? gzip(bytes) : bytes);
        ReadOptions options = detect && writer.detectable() ? ReadOptions.defaults() : writer.options();
        Dataset d = call(file, options);
        if (bom) {
            // A byte-order mark changes nothing: the same users, items and sequences as the file without it.
            assertEquals(TestFiles.render(call(write(".data", plain), options)), TestFiles.render(d), "with a BOM (" + writer + ")");
        }

        Map<String, List<String>> expected = new LinkedHashMap<>();
        List<Row> ordered = new ArrayList<>(rows);
        if (writer.hasTime()) ordered.sort(Comparator.comparingLong(Row::time)); // List.sort is stable: ties keep file order
        for (Row r : ordered) expected.computeIfAbsent(r.user(), u -> new ArrayList<>()).add(r.item());
        assertEquals(rows.size(), d.numInteractions(), "interactions");
        assertEquals(expected.size(), d.numUsers(), "users");
        assertEquals(new LinkedHashSet<>(rows.stream().map(Row::item).toList()).size(), d.numItems(), "items");
        for (Map.Entry<String, List<String>> e : expected.entrySet()) {
            int u = d.userIndex(e.getKey()).orElseThrow(() -> new AssertionError("user " + e.getKey() + " lost"));
            List<String> actual = new ArrayList<>();
            for (int item : d.sequence(u)) actual.add(d.itemId(item));
            assertEquals(e.getValue(), actual, "sequence of user " + e.getKey() + " (" + writer + ")");
        }
    }

    /**
     * A well-formed file (any newline, with or without a BOM, maybe gzipped) with one invalid UTF-8 sequence put into
     * one line is refused with a data error naming that exact line: nothing is silently replaced, so no ids merge.
     */
    @Property
    void invalidUtf8IsADataErrorOnItsLine(@ForAll("logs") List<Row> rows, @ForAll("writers") Writer writer,
                                          @ForAll("newlines") String newline, @ForAll boolean bom, @ForAll boolean gz,
                                          @ForAll("invalidUtf8") byte[] bad, @ForAll("fractions") double where,
                                          @ForAll("fractions") double column) throws Exception {
        List<String> lines = writer.lines(rows);
        int at = Math.min(lines.size() - 1, (int) (where * lines.size()));
        byte[] line = lines.get(at).getBytes(StandardCharsets.UTF_8);
        int cut = Math.min(line.length, (int) (column * (line.length + 1)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bom) out.write(BOM);
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) out.write(newline.getBytes(StandardCharsets.US_ASCII));
            if (i != at) {
                out.write(lines.get(i).getBytes(StandardCharsets.UTF_8));
            } else {
                out.write(line, 0, cut);
                out.write(bad);
                out.write(line, cut, line.length - cut);
            }
        }
        Path file = write(gz ? ".data.gz" : ".data", gz ? gzip(out.toByteArray()) : out.toByteArray());
        DataFormatException e = org.junit.jupiter.api.Assertions.assertThrows(DataFormatException.class, () -> call(file, writer.options()));
        assertEquals(at + 1, e.line(), e.getMessage());
        assertTrue(e.problem().startsWith("not valid UTF-8"), e.getMessage());
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private static byte[] withBom(byte[] bytes) {
        byte[] out = new byte[bytes.length + BOM.length];
        System.arraycopy(BOM, 0, out, 0, BOM.length);
        System.arraycopy(bytes, 0, out, BOM.length, bytes.length);
        return out;
    }

    @Provide
    Arbitrary<String> newlines() {
        return Arbitraries.of("\n", "\r\n", "\r");
    }

    /**
     * Byte sequences a strict decoder must refuse: a lone continuation byte, bytes never used in UTF-8, a lead byte
     * without its continuation, overlong forms, an encoded surrogate, a code point above U+10FFFF, a Latin-1 'é'.
     */
    @Provide
    Arbitrary<byte[]> invalidUtf8() {
        return Arbitraries.of(new byte[] {(byte) 0x80}, new byte[] {(byte) 0xFF}, new byte[] {(byte) 0xFE},
                new byte[] {(byte) 0xC3}, new byte[] {(byte) 0xE2, (byte) 0x82}, new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}, new byte[] {(byte) 0xE9});
    }

    // ---- reading under a time limit ----------------------------------------------------------------------------

    private static Path write(String suffix, byte[] bytes) throws IOException {
        Path file = Files.createTempFile(dir, "fuzz-", suffix);
        Files.write(file, bytes);
        return file;
    }

    private static Dataset call(Path file, ReadOptions options) throws Exception {
        Future<Dataset> f = pool.submit(() -> DataReader.read(file, options));
        try {
            return f.get(READ_TIMEOUT_S, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            throw new AssertionError("read of " + file + " did not finish in " + READ_TIMEOUT_S + " s:\n" + Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception ex) throw ex;
            throw e;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The property every input must satisfy; a Dataset must also be internally consistent. True for a Dataset. */
    private static boolean readOrReject(Path file, ReadOptions options) throws Exception {
        String name = file.getFileName().toString();
        Dataset d;
        try {
            d = call(file, options);
        } catch (IOException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(name), "the message names the file: " + e);
            return false;
        } catch (Exception e) {
            throw new AssertionError("reading with " + options + " threw " + e + " instead of a data error", e);
        }
        assertTrue(d.numInteractions() > 0 && d.numUsers() > 0 && d.numItems() > 0, "a dataset is never empty");
        long total = 0;
        for (int u = 0; u < d.numUsers(); u++) {
            int[] s = d.sequence(u);
            assertTrue(s.length > 0, "user " + u + " has interactions");
            for (int item : s) assertTrue(item >= 1 && item <= d.numItems(), "item index " + item);
            total += s.length;
        }
        assertEquals(d.numInteractions(), total);
        return true;
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }

    // ---- generators: fuzzed files --------------------------------------------------------------------------------

    private static final List<String> GENERIC_LAYOUTS = List.of("user,item,rating,time", "item,_,user", "time,user,item");

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 1);
    }

    @Provide
    Arbitrary<ReadOptions> plainOptions() {
        return Arbitraries.of(Format.AUTO, Format.ML100K, Format.ML1M, Format.ML_CSV, Format.GRU4REC, Format.SASREC)
                .map(ReadOptions::of);
    }

    /** A third of the files are clean (well-formed lines, the format's own header), the rest carry corruptions. */
    @Provide
    Arbitrary<FuzzCase> cases() {
        Arbitrary<ReadOptions> options = Arbitraries.of(Format.values()).flatMap(DataReaderFuzzTest::optionsFor);
        return Combinators.combine(options, Arbitraries.of(true, false, false)).flatAs((o, clean) ->
                Combinators.combine(linesFor(o, clean), Arbitraries.of("\n", "\r\n", "\n\n", "\r"),
                        Arbitraries.of(true, false, false, false, false)).as((ls, nl, bom) -> new FuzzCase(o, ls, nl, bom && !clean)));
    }

    /** Options a user could pass for this format; the rating filter only where the format has a rating column. */
    private static Arbitrary<ReadOptions> optionsFor(Format f) {
        boolean rated = f == Format.ML100K || f == Format.ML1M || f == Format.ML_CSV;
        Arbitrary<Double> minRating = rated ? Arbitraries.of(Double.NaN, Double.NaN, 3.0, -1.0) : Arbitraries.just(Double.NaN);
        Arbitrary<Integer> kcore = Arbitraries.of(0, 0, 0, 1, 2, 3);
        if (f == Format.GENERIC) {
            return Combinators.combine(Arbitraries.of(GENERIC_LAYOUTS), Arbitraries.of(null, "\t", ",", ";", "::"),
                            Arbitraries.of(true, false), kcore, kcore)
                    .as((cols, delim, header, mu, mi) -> {
                        ReadOptions.Builder b = ReadOptions.builder().format(f).columns(cols).header(header)
                                .minUserCount(mu).minItemCount(mi);
                        if (delim != null) b.delimiter(delim);
                        if (cols.contains("rating")) b.minRating(3.0);
                        return b.build();
                    });
        }
        return Combinators.combine(minRating, kcore, kcore).as((r, mu, mi) -> {
            ReadOptions.Builder b = ReadOptions.builder().format(f).minUserCount(mu).minItemCount(mi);
            if (!Double.isNaN(r)) b.minRating(r);
            return b.build();
        });
    }

    /** Lines of one format (AUTO: of one format drawn here); corrupt files mix in mutated and random lines and headers. */
    private static Arbitrary<List<String>> linesFor(ReadOptions o, boolean clean) {
        if (o.format() == Format.AUTO) {
            return Arbitraries.of(Format.ML100K, Format.ML1M, Format.ML_CSV, Format.GRU4REC, Format.SASREC)
                    .flatMap(f -> body(f, ReadOptions.of(f), clean));
        }
        return body(o.format(), o, clean);
    }

    private static Arbitrary<List<String>> body(Format f, ReadOptions o, boolean clean) {
        Arbitrary<String> valid = f == Format.GENERIC ? genericLine(o, clean) : validLine(f, clean);
        Arbitrary<String> blank = Arbitraries.of("", " ", "\t");
        Arbitrary<String> line = clean
                ? Arbitraries.frequencyOf(Tuple.of(20, valid), Tuple.of(1, blank))
                : Arbitraries.frequencyOf(Tuple.of(20, valid), Tuple.of(2, mutate(valid)), Tuple.of(1, randomLine()), Tuple.of(1, blank));
        String own = header(f, o);
        Arbitrary<String> header = clean ? Arbitraries.just(own) : Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.just(own)),
                Tuple.of(1, Arbitraries.of("", LineFormat.CSV_HEADER, "SessionId\tItemId\tTime", "ItemId\tTime\tSessionId",
                        "user,item,rating,time", "USERID,MOVIEID,RATING,TIMESTAMP")),
                Tuple.of(1, mutate(Arbitraries.of(LineFormat.CSV_HEADER, "SessionId\tItemId\tTime"))));
        return Combinators.combine(header, line.list().ofMinSize(clean ? 1 : 0).ofMaxSize(25)).as((h, ls) -> {
            List<String> all = new ArrayList<>();
            if (!h.isEmpty()) all.add(h);
            all.addAll(ls);
            return all;
        });
    }

    /** The header a well-formed file of this format starts with, or "" for none. */
    private static String header(Format f, ReadOptions o) {
        return switch (f) {
            case ML_CSV -> LineFormat.CSV_HEADER;
            case GRU4REC -> "SessionId\tItemId\tTime";
            case GENERIC -> o.header() ? String.join(o.delimiter() == null ? "\t" : o.delimiter(), o.columns()) : "";
            default -> "";
        };
    }

    private static Arbitrary<String> id() {
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.integers().between(1, 40).map(String::valueOf)),
                Tuple.of(1, Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(6)));
    }

    private static Arbitrary<String> number(boolean clean) {
        if (clean) {
            return Arbitraries.oneOf(Arbitraries.longs().between(0, 2_000_000_000L).map(String::valueOf),
                    Arbitraries.integers().between(0, 99_999).map(v -> v / 100 + "." + v % 100));
        }
        return Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.longs().between(0, 2_000_000_000L).map(String::valueOf)),
                Tuple.of(2, Arbitraries.doubles().between(-10, 1e6).map(String::valueOf)),
                Tuple.of(1, Arbitraries.of("NaN", "Infinity", "-Infinity", "1e400", "-0", "9223372036854775807",
                        "99999999999999999999", "1e18", "0x1F", "", "٣", "1_000")));
    }

    private static Arbitrary<String> validLine(Format f, boolean clean) {
        Arbitrary<String> time = number(clean);
        Arbitrary<String> rating = Arbitraries.integers().between(1, 5).map(String::valueOf);
        return switch (f) {
            case ML100K -> Combinators.combine(id(), id(), rating, time).as((u, i, r, t) -> u + "\t" + i + "\t" + r + "\t" + t);
            case ML1M -> Combinators.combine(id(), id(), rating, time).as((u, i, r, t) -> u + "::" + i + "::" + r + "::" + t);
            case ML_CSV -> Combinators.combine(id(), id(), rating, time).as((u, i, r, t) -> u + "," + i + "," + r + "," + t);
            case GRU4REC -> Combinators.combine(id(), id(), time).as((s, i, t) -> s + "\t" + i + "\t" + t);
            case SASREC -> Combinators.combine(id(), id(), Arbitraries.of(" ", "\t", "  ")).as((u, i, sep) -> u + sep + i);
            default -> throw new IllegalArgumentException("no line generator for " + f);
        };
    }

    private static Arbitrary<String> genericLine(ReadOptions o, boolean clean) {
        String delimiter = o.delimiter() == null ? "\t" : o.delimiter();
        int n = o.columns().size();
        return Combinators.combine(id(), id(), number(clean), number(clean)).as((u, i, r, t) -> {
            List<String> fields = new ArrayList<>();
            for (String c : o.columns()) {
                fields.add(switch (c) {
                    case "user" -> u;
                    case "item" -> i;
                    case "rating" -> r;
                    case "time" -> t;
                    default -> "x";
                });
            }
            return String.join(delimiter, fields.subList(0, n));
        });
    }

    private static Arbitrary<String> randomLine() {
        Arbitrary<String> token = Arbitraries.frequencyOf(
                Tuple.of(3, number(false)), Tuple.of(2, id()),
                Tuple.of(1, Arbitraries.strings().withChars("\t:,; \"'\\é\u0000\uFFFD\u2028").ofMaxLength(6)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(6)));
        return Combinators.combine(token.list().ofMaxSize(7), Arbitraries.of("\t", "::", ",", " ", ";", ":", "\t\t"))
                .as((ts, sep) -> String.join(sep, ts));
    }

    /** One to three edits: delete, insert or replace a character, cut the line, double a separator. */
    private static Arbitrary<String> mutate(Arbitrary<String> base) {
        Arbitrary<Integer> kind = Arbitraries.integers().between(0, 4);
        Arbitrary<Double> where = Arbitraries.doubles().between(0, 1);
        Arbitrary<Character> ch = Arbitraries.oneOf(Arbitraries.of('\t', ':', ',', ' ', ';', '-', '.', 'e', '0', '\u00e9'),
                Arbitraries.chars());
        Arbitrary<List<Tuple.Tuple3<Integer, Double, Character>>> edits =
                Combinators.combine(kind, where, ch).as(Tuple::of).list().ofMinSize(1).ofMaxSize(3);
        return Combinators.combine(base, edits).as((s, es) -> {
            String out = s;
            for (Tuple.Tuple3<Integer, Double, Character> e : es) {
                int at = (int) (e.get2() * out.length());
                int end = Math.min(out.length(), at + 1);
                out = switch (e.get1()) {
                    case 0 -> out.substring(0, at) + out.substring(end);
                    case 1 -> out.substring(0, at) + e.get3() + out.substring(at);
                    case 2 -> out.substring(0, at) + e.get3() + out.substring(end);
                    case 3 -> out.substring(0, at);
                    default -> out.replaceFirst("(\t|::|,| )", "$1$1");
                };
            }
            return out;
        });
    }

    // ---- generators: well-formed logs ------------------------------------------------------------------------------

    /** One interaction; times have ties on purpose (0..30 over up to 60 rows). */
    record Row(String user, String item, int rating, long time) {}

    /** Writes rows in one format. */
    enum Writer {
        ML100K, ML1M, ML_CSV, GRU4REC, SASREC, GENERIC;

        boolean hasTime() {
            return this != SASREC;
        }

        boolean detectable() {
            return this != GENERIC;
        }

        ReadOptions options() {
            return switch (this) {
                case ML100K -> ReadOptions.of(Format.ML100K);
                case ML1M -> ReadOptions.of(Format.ML1M);
                case ML_CSV -> ReadOptions.of(Format.ML_CSV);
                case GRU4REC -> ReadOptions.of(Format.GRU4REC);
                case SASREC -> ReadOptions.of(Format.SASREC);
                case GENERIC -> ReadOptions.builder().format(Format.GENERIC).columns("time,item,_,user").delimiter(";").header(true).build();
            };
        }

        List<String> lines(List<Row> rows) {
            List<String> out = new ArrayList<>();
            if (this == ML_CSV) out.add(LineFormat.CSV_HEADER);
            if (this == GRU4REC) out.add("ItemId\tSessionId\tTime");
            if (this == GENERIC) out.add("when;what;score;who");
            for (Row r : rows) {
                out.add(switch (this) {
                    case ML100K -> r.user() + "\t" + r.item() + "\t" + r.rating() + "\t" + r.time();
                    case ML1M -> r.user() + "::" + r.item() + "::" + r.rating() + "::" + r.time();
                    case ML_CSV -> r.user() + "," + r.item() + "," + r.rating() + ".0," + r.time();
                    case GRU4REC -> r.item() + "\t" + r.user() + "\t" + r.time() + ".25";
                    case SASREC -> r.user() + " " + r.item();
                    case GENERIC -> r.time() + ";" + r.item() + ";" + r.rating() + ";" + r.user();
                });
            }
            return out;
        }
    }

    @Provide
    Arbitrary<Writer> writers() {
        return Arbitraries.of(Writer.class);
    }

    @Provide
    Arbitrary<List<Row>> logs() {
        Arbitrary<String> user = Arbitraries.integers().between(1, 9).map(u -> Integer.toString(100 + u));
        Arbitrary<String> item = Arbitraries.integers().between(1, 30).map(String::valueOf);
        return Combinators.combine(user, item, Arbitraries.integers().between(1, 5), Arbitraries.longs().between(0, 30))
                .as(Row::new).list().ofMinSize(1).ofMaxSize(60);
    }
}
