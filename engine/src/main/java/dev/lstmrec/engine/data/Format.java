package dev.lstmrec.engine.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The interaction file formats {@link DataReader} understands, each with the name the command line uses.
 * The layouts are those of the public releases (MovieLens 100K / 1M / 10M / latest, GRU4Rec's session TSV,
 * SASRec's {@code user item} files); {@code DataReaderFormatsTest} writes a small file of each.
 */
public enum Format implements dev.lstmrec.engine.io.CliName {
    /** Detect from the first non-blank line; see {@link DataReader}. */
    AUTO("auto"),
    /** MovieLens 100K {@code u.data}: {@code user<TAB>item<TAB>rating<TAB>timestamp}. */
    ML100K("ml-100k"),
    /** MovieLens 1M / 10M {@code ratings.dat}: {@code user::item::rating::timestamp}. */
    ML1M("ml-1m"),
    /** MovieLens {@code ratings.csv} with the header {@code userId,movieId,rating,timestamp}. */
    ML_CSV("ml-csv"),
    /** GRU4Rec session TSV: a header naming {@code SessionId}, {@code ItemId}, {@code Time} in any order; users are sessions. */
    GRU4REC("gru4rec"),
    /** SASRec: {@code user item} per line, space or tab separated, already in time order, no header. */
    SASREC("sasrec"),
    /** Any delimited file, described by {@link ReadOptions#columns()} and an optional delimiter. */
    GENERIC("generic");

    private final String cliName;

    Format(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line, e.g. {@code ml-100k}. */
    @Override
    public String cliName() {
        return cliName;
    }

    /** The format with this command-line name (case-insensitive); the error lists the valid names. */
    public static Format fromCliName(String name) {
        return dev.lstmrec.engine.io.CliName.parse(values(), "format", name);
    }

    /** Every command-line name, comma separated, for help and error texts. */
    public static String names() {
        return Arrays.stream(values()).map(Format::cliName).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return cliName;
    }
}
