package dev.lstmrec.cli;

import dev.lstmrec.engine.api.RunOption;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

import java.util.function.Supplier;

/** Bad option values are usage errors: picocli prints them with the usage hint and exits 2. */
final class Usage {
    private Usage() {}

    static CommandLine.ParameterException error(CommandSpec spec, String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Builds a value whose constructor validates options; its IllegalArgumentException becomes a usage error. */
    static <T> T validated(CommandSpec spec, Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            throw error(spec, asOption(e.getMessage()));
        }
    }

    /** The library names a setting by its {@link RunOption} key ("lr must be ..."); the CLI says "--lr must be ...". */
    static String asOption(String message) {
        if (message == null) return null;
        for (RunOption o : RunOption.values()) {
            if (message.startsWith(o.key() + " ")) return "--" + message;
        }
        return message;
    }
}
