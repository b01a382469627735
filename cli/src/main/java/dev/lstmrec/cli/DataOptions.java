package dev.lstmrec.cli;

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Options that say which interaction log to read and how to filter it. */
final class DataOptions {
    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE",
            description = "Interaction log to read. Without it, train uses the built-in synthetic dataset.")
    Path data;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "auto",
            description = "auto (default), ml-100k, ml-1m, ml-csv, gru4rec, sasrec, generic.")
    String format;

    @Option(names = "--columns", paramLabel = "LIST",
            description = "For generic files: field names in order, e.g. user,item,time or user,item,rating,time (_ skips a field).")
    String columns;

    @Option(names = "--delimiter", paramLabel = "STR", description = "For generic files: the field separator (default: detect tab , ;).")
    String delimiter;

    @Option(names = "--header", description = "For generic files: skip the first line.")
    boolean header;

    @Option(names = "--min-rating", paramLabel = "R", description = "Keep only interactions rated at least R.")
    Double minRating;

    @Option(names = "--min-user-count", paramLabel = "N", defaultValue = "0",
            description = "k-core: keep users with at least N interactions (iterated with --min-item-count).")
    int minUserCount;

    @Option(names = "--min-item-count", paramLabel = "N", defaultValue = "0",
            description = "k-core: keep items with at least N interactions.")
    int minItemCount;

    ReadOptions readOptions() {
        Format f;
        try {
            f = Format.fromCliName(format);
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, "--format: " + e.getMessage());
        }
        ReadOptions.Builder b = ReadOptions.builder().format(f).header(header)
                .minUserCount(minUserCount).minItemCount(minItemCount);
        if (columns != null) b.columns(columns);
        if (delimiter != null) b.delimiter(delimiter);
        if (minRating != null) b.minRating(minRating);
        return Usage.validated(spec, b::build);
    }

    Dataset read() throws IOException {
        return DataReader.read(data, readOptions());
    }

    /**
     * A second log (--test-data) in the same format and rating filter, without the k-core filters: test sessions are
     * only ever cut by the model's item index (unknown items dropped) and by length.
     */
    Dataset readTest(Path file) throws IOException {
        ReadOptions o = readOptions();
        return DataReader.read(file, new ReadOptions(o.format(), o.columns(), o.delimiter(), o.header(), o.minRating(), 0, 0));
    }
}
