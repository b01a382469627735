package dev.lstmrec.cli;

import picocli.CommandLine;

/** Entry point of {@code lstmrec.jar}: runs the command line and exits with its code (0 ok, 1 failure, 2 usage). */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line in this JVM and returns its exit code (used by the tests). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new LstmrecCommand());
        cli.setExecutionExceptionHandler(new ErrorHandler());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        return cli.execute(args);
    }
}
