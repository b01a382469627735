package dev.lstmrec.engine.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The resolved layout of one file: delimiter, field count and the positions of user, item, rating and time, plus
 * whether the first non-blank line is a header. Built from the {@link ReadOptions} and the file's first non-blank
 * line (which decides {@link Format#AUTO}); checked through {@code DataReaderFormatsTest}.
 */
final class LineFormat {
    static final String WHITESPACE = null; // runs of spaces and tabs
    static final String CSV_HEADER = "userId,movieId,rating,timestamp";

    final Format format;
    final String delimiter;
    final int fieldCount;
    final int userCol;
    final int itemCol;
    final int ratingCol;
    final int timeCol;
    final boolean hasHeader;

    private LineFormat(Format format, String delimiter, int fieldCount, int userCol, int itemCol, int ratingCol,
                       int timeCol, boolean hasHeader) {
        this.format = format;
        this.delimiter = delimiter;
        this.fieldCount = fieldCount;
        this.userCol = userCol;
        this.itemCol = itemCol;
        this.ratingCol = ratingCol;
        this.timeCol = timeCol;
        this.hasHeader = hasHeader;
    }

    /** Resolves the layout from the options and the first non-blank line (found at {@code lineNo}). */
    static LineFormat resolve(Path file, long lineNo, String first, ReadOptions opts) throws DataFormatException {
        Format f = opts.format() == Format.AUTO ? detect(file, lineNo, first) : opts.format();
        LineFormat lf = switch (f) {
            case ML100K -> new LineFormat(f, "\t", 4, 0, 1, 2, 3, false);
            case ML1M -> new LineFormat(f, "::", 4, 0, 1, 2, 3, false);
            case ML_CSV -> csv(file, lineNo, first);
            case GRU4REC -> gru4rec(file, lineNo, first);
            case SASREC -> new LineFormat(f, WHITESPACE, 2, 0, 1, -1, -1, false);
            case GENERIC -> generic(file, lineNo, first, opts);
            case AUTO -> throw new IllegalStateException("unreachable");
        };
        if (opts.filtersRating() && lf.ratingCol < 0) {
            String which = opts.format() == Format.AUTO ? "the file's format, detected as " + f + " from line " + lineNo + "," : "format " + f;
            throw new IllegalArgumentException(file + ": a minimum rating was given but " + which + " has no rating column");
        }
        return lf;
    }

    /** The format a first line shows unambiguously, else an error asking for --format. */
    static Format detect(Path file, long lineNo, String first) throws DataFormatException {
        String t = first.strip();
        if (t.equalsIgnoreCase(CSV_HEADER) || t.toLowerCase(Locale.ROOT).startsWith("userid,movieid,")) return Format.ML_CSV;
        if (isGru4recHeader(t)) return Format.GRU4REC;
        if (t.contains("::")) return Format.ML1M;
        String[] tabs = t.split("\t", -1);
        if (tabs.length == 4 && numeric(tabs[2]) && numeric(tabs[3])) return Format.ML100K; // ids may be any text
        if (t.split("[ \t]+").length == 2) return Format.SASREC;
        throw new DataFormatException(file, lineNo, "cannot detect the format from the first line \"" + abbreviate(t)
                + "\"; name the format (one of " + Format.names() + ")");
    }

    private static boolean isGru4recHeader(String line) {
        List<String> names = lower(line.split("\t", -1));
        return names.contains("sessionid") && names.contains("itemid") && names.contains("time");
    }

    private static boolean numeric(String field) {
        return field.strip().matches("-?[0-9]+(\\.[0-9]*)?");
    }

    private static LineFormat csv(Path file, long lineNo, String first) throws DataFormatException {
        if (!first.strip().toLowerCase(Locale.ROOT).startsWith(CSV_HEADER.toLowerCase(Locale.ROOT))) {
            throw new DataFormatException(file, lineNo, "expected the header " + CSV_HEADER + " but found \"" + abbreviate(first.strip()) + "\"");
        }
        int n = first.split(",", -1).length;
        if (n != 4) throw new DataFormatException(file, lineNo, "expected the header " + CSV_HEADER + " (4 columns) but found " + n + " columns");
        return new LineFormat(Format.ML_CSV, ",", 4, 0, 1, 2, 3, true);
    }

    private static LineFormat gru4rec(Path file, long lineNo, String first) throws DataFormatException {
        List<String> names = lower(first.split("\t", -1));
        int s = names.indexOf("sessionid");
        int i = names.indexOf("itemid");
        int t = names.indexOf("time");
        if (s < 0 || i < 0 || t < 0) {
            throw new DataFormatException(file, lineNo, "expected a tab-separated header with SessionId, ItemId and Time but found \""
                    + abbreviate(first.strip()) + "\"");
        }
        return new LineFormat(Format.GRU4REC, "\t", names.size(), s, i, -1, t, true);
    }

    private static LineFormat generic(Path file, long lineNo, String first, ReadOptions opts) throws DataFormatException {
        int n = opts.columns().size();
        String d = opts.delimiter();
        if (d == null) {
            List<String> fits = new ArrayList<>();
            for (String c : new String[] {"\t", ",", ";"}) {
                if (countFields(first, c) == n) fits.add(c);
            }
            if (fits.size() != 1) {
                throw new DataFormatException(file, lineNo, (fits.isEmpty() ? "no" : "more than one") + " delimiter among tab, ',' and ';' splits \""
                        + abbreviate(first.strip()) + "\" into " + n + " fields (columns " + String.join(",", opts.columns())
                        + "); pass the delimiter");
            }
            d = fits.get(0);
        }
        return new LineFormat(Format.GENERIC, d, n, opts.columnIndex("user"), opts.columnIndex("item"),
                opts.columnIndex("rating"), opts.columnIndex("time"), opts.header());
    }

    private static List<String> lower(String[] names) {
        List<String> out = new ArrayList<>();
        for (String s : names) out.add(s.strip().toLowerCase(Locale.ROOT));
        return out;
    }

    private static int countFields(String line, String delimiter) {
        int count = 1;
        for (int at = line.indexOf(delimiter); at >= 0; at = line.indexOf(delimiter, at + delimiter.length())) count++;
        return count;
    }

    /**
     * Splits a line into {@code out} (trimmed fields) and returns how many fields it has; only the first
     * {@code out.length} are stored, so a caller can report the true count of an over-long line.
     */
    int split(String line, String[] out) {
        return delimiter == WHITESPACE ? splitWhitespace(line, out) : splitLiteral(line, delimiter, out);
    }

    private static int splitLiteral(String line, String d, String[] out) {
        int count = 0;
        int start = 0;
        while (true) {
            int at = line.indexOf(d, start);
            int end = at < 0 ? line.length() : at;
            if (count < out.length) out[count] = line.substring(start, end).strip();
            count++;
            if (at < 0) return count;
            start = at + d.length();
        }
    }

    private static int splitWhitespace(String line, String[] out) {
        int count = 0;
        int i = 0;
        int n = line.length();
        while (true) {
            while (i < n && isSpace(line.charAt(i))) i++;
            if (i == n) return count;
            int start = i;
            while (i < n && !isSpace(line.charAt(i))) i++;
            if (count < out.length) out[count] = line.substring(start, i);
            count++;
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }

    /** How the delimiter reads in an error message. */
    String describeDelimiter() {
        if (delimiter == WHITESPACE) return "whitespace";
        if (delimiter.equals("\t")) return "tabs";
        return "'" + delimiter + "'";
    }

    static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
