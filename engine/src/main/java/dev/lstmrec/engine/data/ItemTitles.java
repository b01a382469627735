package dev.lstmrec.engine.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Item titles from the MovieLens catalogue files: {@code u.item} (ML-100K, {@code |}-separated), {@code movies.dat}
 * (ML-1M / 10M, {@code ::}-separated) and {@code movies.csv} (header {@code movieId,title,...}, quoted CSV). The
 * title is the second field. Text is read as UTF-8 when it is valid UTF-8, else as ISO-8859-1 (the older releases'
 * encoding); a leading UTF-8 byte-order mark is skipped. Checked by {@code ItemTitlesTest}.
 */
public final class ItemTitles {
    private ItemTitles() {}

    /** External item id to title, in file order. */
    public static Map<String, String> read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "titles file not found");
        String text = decode(Files.readAllBytes(file));
        String[] lines = text.split("\r?\n", -1);
        Map<String, String> titles = new LinkedHashMap<>();
        Kind kind = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) continue;
            long lineNo = i + 1L;
            if (kind == null) {
                kind = detect(file, lineNo, line);
                if (kind == Kind.CSV) continue; // header
            }
            List<String> f = kind.split(line);
            if (f == null) throw new DataFormatException(file, lineNo, "unbalanced quotes");
            if (f.size() < 2) {
                throw new DataFormatException(file, lineNo, "expected at least 2 fields separated by " + kind.describe
                        + " but found " + f.size());
            }
            String id = f.get(0).strip();
            if (id.isEmpty()) throw new DataFormatException(file, lineNo, "empty item id");
            titles.put(id, f.get(1).strip());
        }
        return Collections.unmodifiableMap(titles);
    }

    private static Kind detect(Path file, long lineNo, String first) throws DataFormatException {
        if (first.strip().toLowerCase(Locale.ROOT).startsWith("movieid,")) return Kind.CSV;
        if (first.contains("::")) return Kind.DAT;
        if (first.contains("|")) return Kind.ITEM;
        throw new DataFormatException(file, lineNo, "not a MovieLens titles file (u.item, movies.dat or movies.csv)");
    }

    /** A byte-order mark says UTF-8 and is skipped; otherwise UTF-8 when valid, else ISO-8859-1. */
    private static String decode(byte[] bytes) {
        int skip = Utf8Lines.startsWithBom(bytes, 0, bytes.length) ? Utf8Lines.BOM.length : 0;
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, skip, bytes.length - skip)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, skip, bytes.length - skip, StandardCharsets.ISO_8859_1);
        }
    }

    private enum Kind {
        ITEM("'|'"), DAT("'::'"), CSV("','");

        final String describe;

        Kind(String describe) {
            this.describe = describe;
        }

        /** The fields of a line, or null for a CSV line with unbalanced quotes. */
        List<String> split(String line) {
            return switch (this) {
                case ITEM -> List.of(line.split("\\|", -1));
                case DAT -> List.of(line.split("::", -1));
                case CSV -> splitCsv(line);
            };
        }
    }

    /** RFC 4180 fields of one line: quoted fields may hold commas and doubled quotes. */
    static List<String> splitCsv(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch != '"') {
                    field.append(ch);
                } else if (i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else {
                    quoted = false;
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(ch);
            }
        }
        if (quoted) return null;
        out.add(field.toString());
        return out;
    }
}
