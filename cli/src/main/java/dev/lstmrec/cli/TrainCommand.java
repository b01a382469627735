package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.CheckpointDirectoryInUseException;
import dev.lstmrec.engine.train.TrainingDivergedException;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lstmrec train}: read, split, train with early stopping, evaluate against popularity, save the best model; all
 * through {@link TrainingBuilder}. Its options are the {@link RunOption} declarations ({@link RunOptionSpecs}), each
 * given one going to the builder, and the outputs below; so a new train option needs no code here.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = RunOptionSpecs.class,
        description = {"Trains an LSTM next-item recommender and reports its test metrics beside the popularity baseline.",
                "Leave-one-out per user, or with --test-data (or --format gru4rec) the session protocol.",
                "Without --data it trains on a built-in synthetic log (deterministic, with sequential structure)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", defaultValue = "model.lstmrec", paramLabel = "FILE",
            description = "Where to write the best model (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report of the run.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = {"Draw training loss and validation HR@10/NDCG@10 per epoch, with the popularity baseline, as a PNG. On a",
                    "session log: the learning curve, test HR@20/MRR@20 after every epoch against training seconds (the test",
                    "sessions are then scored once per epoch; the kept epoch is still chosen on validation)."})
    Path plot;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = {"Save the training state and the run's settings here after every epoch (and --checkpoint-every batches),",
                    "keeping the newest two. A new run needs an empty or new directory. With --resume: where the resumed run writes."})
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "DIR",
            description = {"Continue the run whose checkpoints are in DIR, with the settings stored there; nothing else is needed.",
                    "Only the settings whose help says \"a resumed run may change it\" and the outputs (--checkpoint-dir, --model,",
                    "--report, --plot, --k) may differ."})
    Path resume;

    @Mixin
    EvalOptions evalOptions = new EvalOptions();

    @Mixin
    CommonOptions common = new CommonOptions();

    /**
     * A model that does not beat popularity on the test targets is not worth serving: said loudly, on stderr, with
     * what usually helps (the run still succeeds: the model and report are written as asked).
     */
    static void warnIfNotBetterThanPopularity(Experiment.Result r, int k, PrintStream err) {
        int cutoff = r.sessionProtocol() ? 20 : k;
        Metric metric = r.sessionProtocol() ? Metric.HR : Metric.NDCG;
        double model = r.test().get(metric, cutoff), pop = r.popularity().get(metric, cutoff);
        if (model > pop) return;
        err.printf("lstmrec: WARNING: the trained model is NOT better than the popularity baseline on the test targets"
                + " (%s %.4f against %.4f); best epoch %d of %d%s. Train longer (--epochs, --patience 0), raise --lr, or"
                + " check the data (are the sequences in time order?)%n", metric.key(cutoff), model, pop, r.training().bestEpoch(),
                r.training().epochs().size(), r.training().stoppedEarly() ? " (early stopping)" : "");
    }

    /** What a resumed run may change, for messages: the changeable settings and this command's outputs. */
    static final String RESUME_CHANGEABLE = String.join(", ", RunOption.CHANGEABLE.stream().map(o -> "--" + o.key()).toList())
            + " (and the outputs --checkpoint-dir, --model, --report, --plot, --k)";

    /** Outputs of this command, remembered with the run (absolute) so that {@code --resume DIR} alone writes them again. */
    private static final List<String> REMEMBERED = List.of("model", "report", "plot", "k");

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        PrintStream out = System.out;
        TrainingBuilder builder = LstmRec.trainer().checkpointDir(checkpointDir).resume(resume);
        ParseResult parsed = spec.commandLine().getParseResult();
        for (OptionSpec o : spec.options()) {
            String key = o.longestName().replaceFirst("^--", "");
            boolean given = parsed.hasMatchedOption(o);
            if (RunOption.byKey(key).isPresent() && given) {
                Usage.validated(spec, () -> builder.set(RunOption.byKey(key).get(), String.valueOf((Object) o.getValue())));
            } else if (REMEMBERED.contains(key) && (given || resume == null) && o.getValue() != null) {
                Object v = o.getValue();
                builder.remember(key, v instanceof Path p ? p.toAbsolutePath().normalize().toString() : String.valueOf(v));
            }
        }
        // A new run records the backend the configuration asks for (-Dlstmrec.backend, LSTMREC_BACKEND); a resumed one keeps its own.
        if (common.backend() == null && resume == null) builder.backend((String) null);
        RunConfig run;
        try {
            run = builder.resolve();
        } catch (RunConfig.ConflictException e) {
            throw Usage.error(spec, "--" + e.option().key() + " " + RunConfig.ConflictException.shown(e.given())
                    + " differs from the resumed run's --" + e.option().key() + " " + RunConfig.ConflictException.shown(e.stored())
                    + "; only " + RESUME_CHANGEABLE + " may change when resuming");
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, Usage.asOption(e.getMessage()));
        }
        int k = Integer.parseInt(run.remembered("k") != null ? run.remembered("k") : Integer.toString(evalOptions.k));
        if (k != 5 && k != 10 && k != 20) throw Usage.error(spec, "--k must be one of 5, 10, 20 for evaluation, got " + k);
        Path model = Path.of(run.remembered("model") != null ? run.remembered("model") : this.model.toString());
        Path report = run.remembered("report") != null ? Path.of(run.remembered("report")) : null;
        Path plot = run.remembered("plot") != null ? Path.of(run.remembered("plot")) : null;
        Protocol protocol = run.protocol();
        // On a session log the chart is a learning curve: the test sessions are also scored after every epoch.
        builder.testCurve(run.sessionLog() && plot != null);
        try (Backend backend = common.createBackend(err, run.get(RunOption.BACKEND), run.intValue(RunOption.THREADS))) {
            ProgressPrinter progress = new ProgressPrinter(err, System.console() != null, run.intValue(RunOption.EPOCHS));
            builder.backend(backend).listener(progress)
                    .stopDir(model.toAbsolutePath().resolveSibling(model.getFileName() + ".checkpoints"));
            Experiment.Result r;
            try (StopOnSignal stop = StopOnSignal.install()) {
                try {
                    r = builder.stopWhen(stop::requested).train();
                } catch (TrainingInterruptedException e) {
                    // Reported before the stop hook is released, so the message is out before the JVM exits.
                    err.println("lstmrec: interrupted: " + e.getMessage());
                    if (e.checkpoint() != null) {
                        err.println("lstmrec: continue with: lstmrec train --resume " + e.checkpoint().getParent());
                    }
                    return 130;
                }
            } catch (CheckpointDirectoryInUseException e) {
                throw new CliException(e.getMessage() + " (continue that run with --resume " + e.directory() + ")");
            } catch (TrainingDivergedException e) {
                throw new TrainingDivergedException(e.getMessage() + " (options --lr and --clip-norm)");
            }
            r.model().save(model);
            warnIfNotBetterThanPopularity(r, k, err);
            if (r.sessionProtocol()) {
                SessionTraining.summarize(r, backend, model, report, out);
                if (plot != null) {
                    TrainingChart.writeSessionChart(plot, r, TrainingChart.defaultTitle(r));
                    out.println("chart written to " + plot);
                }
                return 0;
            }
            Reports.printSummary(out, r, protocol, k);
            out.println("model saved to " + model);
            if (plot != null) {
                TrainingChart.writeTrainingChart(plot, r, TrainingChart.defaultTitle(r));
                out.println("chart written to " + plot);
            }
            if (report != null) {
                Map<String, Object> json = Reports.trainReport(r.split().dataset(), r, r.config(), r.run().trainConfig(), protocol, backend);
                json.put("loss", Reports.loss(r.run().lossConfig(), r.config().numItems()));
                AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
                out.println("report written to " + report);
            }
        }
        return 0;
    }
}
