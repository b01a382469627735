package dev.lstmrec.cli;

import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.ReadOptions;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Which interaction log a command reads and how to filter it: the data settings ({@link RunOption.Group#DATA}),
 * declared as options by {@link RunOptionSpecs} and read here as {@code train} reads them.
 */
final class DataOptions {
    private final CommandSpec spec;

    /** The data options of the command {@code spec}, parsed. */
    DataOptions(CommandSpec spec) {
        this.spec = spec;
    }

    /** The log given with --data; null = none. */
    Path data() {
        RunConfig c = RunOptionSpecs.config(spec);
        return c.dataFile();
    }

    /** The --format given (or auto). */
    String format() {
        return RunOptionSpecs.config(spec).get(RunOption.FORMAT);
    }

    ReadOptions readOptions() {
        return Usage.validated(spec, () -> RunOptionSpecs.config(spec).readOptions());
    }

    /** These options as command-line arguments (the ones given), for printing a command that reads the same data. */
    String commandLine() {
        StringBuilder sb = new StringBuilder();
        for (RunOption o : RunOption.values()) {
            if (o.group() != RunOption.Group.DATA || o == RunOption.TEST_DATA) continue;
            String v = RunOptionSpecs.given(spec, o);
            if (v == null || (o.type() == RunOption.Type.BOOLEAN && v.equals("false"))) continue;
            sb.append(" --").append(o.key());
            if (o.type() != RunOption.Type.BOOLEAN) sb.append(' ').append(Shell.quote(v));
        }
        return sb.toString().trim();
    }

    Dataset read() throws IOException {
        return DataReader.read(data(), readOptions());
    }

    /** A second log (--test-data): the same format and rating filter, no k-core filter ({@link RunConfig#testReadOptions()}). */
    Dataset readTest(Path file) throws IOException {
        return DataReader.read(file, Usage.validated(spec, () -> RunOptionSpecs.config(spec).testReadOptions()));
    }
}
