package dev.lstmrec.cli;

import picocli.CommandLine.Command;

/** The top-level {@code lstmrec} command. */
@Command(name = "lstmrec", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Trains, evaluates and serves LSTM next-item recommenders.",
        subcommands = {TrainCommand.class, UpdateCommand.class, BacktestCommand.class, TuneCommand.class, EvaluateCommand.class,
                RecommendCommand.class, ServeCommand.class, ServeLoadCommand.class, ExportCommand.class, InfoCommand.class,
                GenerateCommand.class,
                picocli.CommandLine.HelpCommand.class},
        footer = {"", "Run 'lstmrec COMMAND --help' for a command's options.",
                "Start the JVM with --add-modules jdk.incubator.vector to enable the SIMD backend."})
public final class LstmrecCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getErr());
    }
}
