package dev.lstmrec.engine.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How {@link DataReader} reads a file: the format, the column layout and delimiter of a {@link Format#GENERIC} file,
 * and the filters. {@code minRating} is NaN when off and is an error for a format without a rating column (rather
 * than being ignored silently); AUTO with columns means GENERIC; {@code minUserCount} / {@code minItemCount} of 0 or 1 turn the k-core filter off.
 *
 * @param format       the file format, or {@link Format#AUTO}
 * @param columns      GENERIC only: one name per field, among {@code user, item, rating, time} and {@code _} (ignored);
 *                     user and item are required; empty for the other formats
 * @param delimiter    GENERIC only: the literal field separator, or null to detect tab, comma or semicolon
 * @param header       GENERIC only: the first non-blank line is a header and is skipped
 * @param minRating    keep interactions rated at least this; NaN = no rating filter
 * @param minUserCount k-core: keep users with at least this many interactions (iterated with the item rule)
 * @param minItemCount k-core: keep items with at least this many interactions
 */
public record ReadOptions(Format format, List<String> columns, String delimiter, boolean header,
                          double minRating, int minUserCount, int minItemCount) {

    /** Column names GENERIC accepts. */
    public static final List<String> COLUMN_NAMES = List.of("user", "item", "rating", "time", "_");

    public ReadOptions {
        Objects.requireNonNull(format, "format");
        columns = columns == null ? List.of() : List.copyOf(columns);
        if (format == Format.AUTO && !columns.isEmpty()) format = Format.GENERIC; // a column layout only fits generic
        if (delimiter != null && delimiter.isEmpty()) throw new IllegalArgumentException("empty delimiter");
        if (minUserCount < 0 || minItemCount < 0) throw new IllegalArgumentException("negative minimum count");
        if (Double.isInfinite(minRating)) throw new IllegalArgumentException("minRating must be finite or NaN");
        if (format == Format.GENERIC) {
            checkColumns(columns);
        } else if (!columns.isEmpty() || delimiter != null || header) {
            throw new IllegalArgumentException("columns, delimiter and header apply to format generic only, not " + format);
        }
    }

    private static void checkColumns(List<String> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("format generic needs columns, e.g. user,item,time or user,item,rating,time");
        }
        List<String> seen = new ArrayList<>();
        for (String c : columns) {
            if (!COLUMN_NAMES.contains(c)) {
                throw new IllegalArgumentException("unknown column '" + c + "' in " + columns + "; expected names among " + COLUMN_NAMES);
            }
            if (!c.equals("_") && seen.contains(c)) throw new IllegalArgumentException("column '" + c + "' named twice in " + columns);
            seen.add(c);
        }
        if (!seen.contains("user") || !seen.contains("item")) {
            throw new IllegalArgumentException("columns " + columns + " must name both user and item");
        }
    }

    /** Auto-detected format, no filters. */
    public static ReadOptions defaults() {
        return builder().build();
    }

    /** The given format, no filters. */
    public static ReadOptions of(Format format) {
        return builder().format(format).build();
    }

    /** Whether the rating filter is on. */
    public boolean filtersRating() {
        return !Double.isNaN(minRating);
    }

    /** The position of a named GENERIC column, or -1 when it is absent. */
    public int columnIndex(String name) {
        return columns.indexOf(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; every setter returns {@code this}. */
    public static final class Builder {
        private Format format = Format.AUTO;
        private List<String> columns = List.of();
        private String delimiter;
        private boolean header;
        private double minRating = Double.NaN;
        private int minUserCount;
        private int minItemCount;

        private Builder() {}

        public Builder format(Format format) {
            this.format = format;
            return this;
        }

        /** Column names separated by commas, e.g. {@code "user,item,rating,time"}; {@code _} skips a field. */
        public Builder columns(String spec) {
            List<String> list = new ArrayList<>();
            for (String c : spec.split(",", -1)) list.add(c.trim().toLowerCase(Locale.ROOT));
            this.columns = list;
            return this;
        }

        public Builder columns(List<String> columns) {
            this.columns = columns;
            return this;
        }

        /** The literal field separator of a GENERIC file; {@code "\t"} for tab. Null to detect. */
        public Builder delimiter(String delimiter) {
            this.delimiter = delimiter;
            return this;
        }

        public Builder header(boolean header) {
            this.header = header;
            return this;
        }

        public Builder minRating(double minRating) {
            this.minRating = minRating;
            return this;
        }

        public Builder minUserCount(int n) {
            this.minUserCount = n;
            return this;
        }

        public Builder minItemCount(int n) {
            this.minItemCount = n;
            return this;
        }

        public ReadOptions build() {
            return new ReadOptions(format, columns, delimiter, header, minRating, minUserCount, minItemCount);
        }
    }
}
