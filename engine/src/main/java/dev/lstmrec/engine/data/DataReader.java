package dev.lstmrec.engine.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Reads an interaction file into a {@link Dataset}, streaming it line by line (strict UTF-8, a leading byte-order mark
 * skipped, see {@link Utf8Lines}; {@code .gz} is decompressed on the fly) so that memory is bounded by the
 * interactions kept, never by the text. Every malformed line, invalid UTF-8 included, is a
 * {@link DataFormatException} naming file and line. Checked by {@code DataReaderFormatsTest}, {@code DataReaderErrorsTest},
 * {@code FiltersTest} and, where the data is present, {@code MovieLens100kTest}.
 *
 * <p>Format detection ({@link Format#AUTO}) looks at the first non-blank line: the MovieLens CSV header or a GRU4Rec
 * header, then {@code ::} (ML-1M), four tab-separated fields ending in two numbers (ML-100K), two whitespace-separated fields (SASRec).
 * Anything else is an error asking for {@code --format}.
 *
 * <p>Times are integer or decimal seconds; interactions are ordered by time at millisecond resolution, ties (and
 * SASRec files, which have no time) keeping file order. Users are numbered 0.. and items 1.. in order of first
 * appearance in the file among the interactions that pass the filters. The rating filter applies while reading;
 * the k-core filter (users with at least {@code minUserCount}, items with at least {@code minItemCount}
 * interactions) is iterated until nothing changes.
 */
public final class DataReader {
    private DataReader() {}

    /** Reads {@code file} as described by {@code opts}. */
    public static Dataset read(Path file, ReadOptions opts) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, Files.exists(file) ? "not a regular file" : "data file not found");
        }
        Raw raw = new Raw();
        try (Utf8Lines in = open(file)) {
            readLines(file, in, opts, raw);
        } catch (DataFormatException e) {
            throw e;
        } catch (IOException e) { // e.g. a truncated gzip stream: say which file
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        return raw.toDataset(file, opts);
    }

    /** Reads with the format detected and no filters. */
    public static Dataset read(Path file) throws IOException {
        return read(file, ReadOptions.defaults());
    }

    private static Utf8Lines open(Path file) throws IOException {
        InputStream s = Files.newInputStream(file);
        try {
            if (file.getFileName().toString().endsWith(".gz")) s = new GZIPInputStream(s, 1 << 16);
        } catch (IOException e) {
            s.close();
            throw new IOException("not a readable gzip file: " + e.getMessage(), e);
        }
        return new Utf8Lines(s, file);
    }

    private static void readLines(Path file, Utf8Lines in, ReadOptions opts, Raw raw) throws IOException {
        LineFormat lf = null;
        String[] fields = null;
        for (String line = in.next(); line != null; line = in.next()) {
            long lineNo = in.lineNumber();
            if (line.isBlank()) continue;
            if (lf == null) {
                lf = LineFormat.resolve(file, lineNo, line, opts);
                fields = new String[lf.fieldCount];
                if (lf.hasHeader) continue;
            }
            int n = lf.split(line, fields);
            if (n != lf.fieldCount) {
                throw new DataFormatException(file, lineNo, "expected " + lf.fieldCount + " fields separated by "
                        + lf.describeDelimiter() + " but found " + n);
            }
            String user = fields[lf.userCol];
            String item = fields[lf.itemCol];
            if (user.isEmpty()) throw new DataFormatException(file, lineNo, "empty user id");
            if (item.isEmpty()) throw new DataFormatException(file, lineNo, "empty item id");
            long time = lf.timeCol < 0 ? 0 : parseTime(file, lineNo, fields[lf.timeCol]);
            raw.read++;
            if (lf.ratingCol >= 0) {
                double rating = parseRating(file, lineNo, fields[lf.ratingCol]);
                if (opts.filtersRating() && !(rating >= opts.minRating())) continue;
            }
            raw.add(user, item, lf.timeCol < 0 ? Long.MIN_VALUE : time, (int) Math.min(lineNo, Integer.MAX_VALUE));
        }
    }

    /** Seconds, integer or decimal, as milliseconds. */
    static long parseTime(Path file, long lineNo, String s) throws DataFormatException {
        boolean decimal = s.indexOf('.') >= 0 || s.indexOf('e') >= 0 || s.indexOf('E') >= 0;
        try {
            if (!decimal) return Math.multiplyExact(Long.parseLong(s), 1000L);
            double ms = Double.parseDouble(s) * 1000.0;
            if (Double.isNaN(ms)) throw new NumberFormatException(s);
            if (Math.abs(ms) < 9.0e18) return Math.round(ms);
        } catch (NumberFormatException e) {
            throw new DataFormatException(file, lineNo, "time '" + LineFormat.abbreviate(s) + "' is not a number");
        } catch (ArithmeticException e) {
            // overflow: reported below with the other out-of-range values
        }
        throw new DataFormatException(file, lineNo, "time '" + LineFormat.abbreviate(s) + "' is out of range");
    }

    private static double parseRating(Path file, long lineNo, String s) throws DataFormatException {
        double fast = simpleDecimal(s);
        if (!Double.isNaN(fast)) return fast;
        try {
            double r = Double.parseDouble(s);
            if (Double.isFinite(r)) return r;
        } catch (NumberFormatException e) {
            // reported below, as for a non-finite value
        }
        throw new DataFormatException(file, lineNo, "rating '" + LineFormat.abbreviate(s) + "' is not a number");
    }

    /**
     * Plain {@code 123} or {@code 12.5} without Double.parseDouble, which dominates the per-line cost; NaN for any
     * other form. Exact: digits below 2^53 divided by a power of ten up to 10^18 is one correctly rounded division,
     * the same double parseDouble returns.
     */
    static double simpleDecimal(String s) {
        int n = s.length();
        if (n == 0 || n > 18) return Double.NaN;
        long digits = 0;
        long scale = 1;
        boolean point = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= '0' && c <= '9') {
                digits = digits * 10 + (c - '0');
                if (point) scale *= 10;
            } else if (c == '.' && !point && i > 0 && i < n - 1) {
                point = true;
            } else {
                return Double.NaN;
            }
        }
        return point ? digits / (double) scale : digits;
    }

    /** The interactions as read: raw user and item numbers (first appearance), times, before the k-core filter. */
    private static final class Raw {
        final Map<String, Integer> userIds = new HashMap<>();
        final Map<String, Integer> itemIds = new HashMap<>();
        final ArrayList<String> userNames = new ArrayList<>();
        final ArrayList<String> itemNames = new ArrayList<>();
        final IntList users = new IntList(1 << 12);
        final IntList items = new IntList(1 << 12);
        final LongList times = new LongList(1 << 12);
        final IntList lines = new IntList(1 << 12);
        long read;

        private String lastUser;
        private int lastUserIndex;

        /** One interaction; {@code time} is {@link Long#MIN_VALUE} in a format without times. */
        void add(String user, String item, long time, int line) {
            // Most files group a user's lines together; skipping the map then saves the dominant cost of a line.
            if (!user.equals(lastUser)) {
                lastUser = user;
                lastUserIndex = intern(userIds, userNames, user);
            }
            users.add(lastUserIndex);
            items.add(intern(itemIds, itemNames, item));
            times.add(time);
            lines.add(line);
        }

        private static int intern(Map<String, Integer> ids, ArrayList<String> names, String id) {
            Integer i = ids.get(id);
            if (i == null) {
                i = names.size();
                ids.put(id, i);
                names.add(id);
            }
            return i;
        }

        Dataset toDataset(Path file, ReadOptions opts) throws DataFormatException {
            if (read == 0) throw new DataFormatException(file, "no interactions found (the file has no data lines)");
            int n = users.size();
            if (n == 0) {
                throw new DataFormatException(file, "no interactions left after the minimum rating filter (rating >= "
                        + opts.minRating() + "); " + read + " read");
            }
            boolean[] alive = KCore.filter(users, items, userNames.size(), itemNames.size(), opts.minUserCount(), opts.minItemCount());
            return Interactions.build(file.toString(), alive, users, items, times, lines, userNames, itemNames, () ->
                    new DataFormatException(file, "no interactions left after the k-core filter (users with >= "
                            + opts.minUserCount() + " and items with >= " + opts.minItemCount() + " interactions); "
                            + n + " before it"));
        }
    }
}
