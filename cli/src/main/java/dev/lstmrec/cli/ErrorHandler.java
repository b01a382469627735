package dev.lstmrec.cli;

import picocli.CommandLine;

/**
 * Turns a failed command into one clear line on stderr and exit code 1; the stack trace only with {@code --verbose}.
 * Errors about the input (bad data, missing files, unusable backends, diverged training) carry their own message;
 * anything else is a bug and says so.
 */
final class ErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, CommandLine.ParseResult parseResult) {
        boolean verbose = parseResult.hasMatchedOption("--verbose")
                || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--verbose"));
        String message = message(e);
        cmd.getErr().println("lstmrec: error: " + message);
        if (verbose) e.printStackTrace(cmd.getErr());
        else if (!isUserError(e)) cmd.getErr().println("lstmrec: this looks like a bug; run again with --verbose for the stack trace");
        cmd.getErr().flush();
        return 1;
    }

    private static boolean isUserError(Throwable e) {
        return e instanceof java.io.IOException || e instanceof java.io.UncheckedIOException || e instanceof IllegalArgumentException
                || e instanceof dev.lstmrec.engine.backend.BackendUnavailableException
                || e instanceof dev.lstmrec.engine.train.TrainingDivergedException
                || e instanceof OutOfMemoryError || e instanceof CliException;
    }

    static String message(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException) return "file not found: " + e.getMessage();
        if (e instanceof java.nio.file.AccessDeniedException) return "permission denied: " + e.getMessage();
        if (e instanceof java.io.UncheckedIOException && e.getCause() != null) return message(e.getCause());
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
