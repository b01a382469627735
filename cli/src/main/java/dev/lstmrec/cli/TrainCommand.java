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
 * through {@link TrainingBuilder}. Every option named like a {@link RunOption} goes to the builder when given on the
 * command line (the defaults agree, DefaultsAgreementTest), so a new train option needs no code here.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an LSTM next-item recommender and reports its test metrics beside the popularity baseline.",
                "Leave-one-out per user, or with --test-data (or --format gru4rec) the session protocol.",
                "Without --data it trains on a built-in synthetic log (deterministic, with sequential structure)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--dim", defaultValue = "64", description = "Embedding width d (default ${DEFAULT-VALUE}; 128 on session logs: --test-data or --format gru4rec).")
    int dim;

    @Option(names = "--hidden", defaultValue = "64", description = "LSTM hidden width h (default ${DEFAULT-VALUE}; 128 on session logs: --test-data or --format gru4rec).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Stacked LSTM layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--max-len", defaultValue = "200", description = "Longest history unrolled (BPTT truncation, default ${DEFAULT-VALUE}).")
    int maxLen;

    @Option(names = "--tied", negatable = true, defaultValue = "false",
            description = "One item table for the input embedding and the output layer (needs --dim = --hidden; the output"
                    + " bias stays; default: off, on with --test-data or --format gru4rec: --no-tied for two tables).")
    Boolean tied;

    @Option(names = "--dropout", defaultValue = "0.2", description = "Dropout on embeddings and LSTM outputs (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--embedding-dropout", paramLabel = "P", description = "Dropout on the item embeddings only (default: --dropout; 0.5 on session logs unless --dropout is given).")
    Float embeddingDropout;

    @Option(names = "--hidden-dropout", paramLabel = "P", description = "Dropout on each LSTM layer's outputs only (default: --dropout; 0.3 on session logs unless --dropout is given).")
    Float hiddenDropout;

    @Option(names = "--batch", defaultValue = "64", description = "Sequences per mini-batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}; 0.01 on session logs).")
    float lr;

    @Option(names = "--lr-schedule", defaultValue = "constant", paramLabel = "KIND",
            description = "constant, linear or cosine: decay of --lr to 0 over --epochs, after --warmup (default ${DEFAULT-VALUE};"
                    + " cosine on session logs).")
    String lrSchedule;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "N|F",
            description = "Linear learning-rate warm-up: N >= 1 steps, or a fraction F < 1 of all steps (default ${DEFAULT-VALUE}).")
    double warmup;

    @Option(names = "--epochs", defaultValue = "60", description = "Maximum epochs; early stopping may end sooner (default ${DEFAULT-VALUE}; 10 on session logs).")
    int epochs;

    @Option(names = "--patience", defaultValue = "10",
            description = "Stop after this many epochs in a row whose validation NDCG@10 is more than one standard error below the"
                    + " best (a plateau within the validation set's noise goes on); 0 = never (default ${DEFAULT-VALUE};"
                    + " 3 on session logs, whose validation sessions mimic the test log).")
    int patience;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Decoupled (AdamW) weight decay on the weight matrices (LSTM, output), not embeddings or biases (default ${DEFAULT-VALUE}).")
    float weightDecay;

    @Option(names = "--clip-norm", defaultValue = "5", description = "Global gradient-norm clipping; 0 = off (default ${DEFAULT-VALUE}).")
    float clipNorm;

    @Option(names = "--loss", defaultValue = "auto", paramLabel = "full|sampled|bpr-max|auto",
            description = "Training loss: full softmax, sampled softmax or BPR-max over in-batch targets + shared negatives;"
                    + " auto = full up to " + LossConfig.AUTO_SAMPLED_ABOVE + " items, sampled above (default ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--negatives", defaultValue = "2048", paramLabel = "K",
            description = "Sampled losses: negatives shared by every row of a step (default ${DEFAULT-VALUE}).")
    int negatives;

    @Option(names = "--sample-alpha", defaultValue = "0.5", paramLabel = "A",
            description = "Sampled losses: negatives drawn from popularity^A; 0 = uniform (default ${DEFAULT-VALUE}).")
    float sampleAlpha;

    @Option(names = "--logq", defaultValue = "1.0", paramLabel = "W",
            description = "Sampled softmax: weight of the logQ correction; 0 = off (default ${DEFAULT-VALUE}).")
    float logq;

    @Option(names = "--bpreg", defaultValue = "1.0",
            description = "BPR-max: score regulariser (default ${DEFAULT-VALUE}, GRU4Rec's).")
    float bpreg;

    @Option(names = "--mask-seen", negatable = true,
            description = "Full softmax: leave out, at each position, the items the user consumed before it (its target"
                    + " excepted), as the ranking does (default: on with --exclude-seen, off with --test-data, whose"
                    + " session protocol ranks every item; --no-mask-seen to train against every item).")
    Boolean maskSeen;

    @Option(names = "--row-optimizer", defaultValue = "adam", paramLabel = "adam|adagrad",
            description = "Sampled losses: how the item-table rows a step touched are updated: lazy Adam (--lr) or GRU4Rec's"
                    + " Adagrad with momentum (--adagrad-lr, --adagrad-momentum); the LSTM weights always use Adam"
                    + " (default ${DEFAULT-VALUE}).")
    String rowOptimizer;

    @Option(names = "--adagrad-lr", defaultValue = "0.05", paramLabel = "LR",
            description = "--row-optimizer adagrad: learning rate (default ${DEFAULT-VALUE}, GRU4Rec's).")
    float adagradLr;

    @Option(names = "--adagrad-momentum", defaultValue = "0.0", paramLabel = "M",
            description = "--row-optimizer adagrad: momentum (default ${DEFAULT-VALUE}, GRU4Rec's).")
    float adagradMomentum;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation, shuffling, dropout and sampling (default ${DEFAULT-VALUE}).")
    long seed;

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

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Also save every N batches within an epoch (default: only after each epoch).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = {"Continue the run whose checkpoints are in DIR, with the settings stored there; nothing else is needed.",
                    "Only --epochs, --patience, --threads, --checkpoint-every, --checkpoint-dir, --model, --report, --plot, --k may differ."})
    Path resume;

    @Option(names = "--test-data", paramLabel = "FILE",
            description = {"A second log (same format options), typically later in time, whose sessions are the test set:",
                    "the session-based protocol (every next item of every test session, all items ranked, prefix not excluded);",
                    "validation then holds out the latest training sessions (see --holdout)."})
    Path testData;

    @Option(names = "--holdout", defaultValue = "latest", paramLabel = "latest|last-item",
            description = {"With --test-data, what validation holds out of the training log: latest = the latest sessions",
                    "(2% of the positions), scored as the test sessions are, every other session trains whole;",
                    "last-item = the last item of every session (default ${DEFAULT-VALUE})."})
    String holdout;

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
        if (common.backend == null && resume == null) builder.backend((String) null);
        RunConfig run;
        try {
            run = builder.resolve();
        } catch (RunConfig.ConflictException e) {
            throw Usage.error(spec, "--" + e.option().key() + " " + RunConfig.ConflictException.shown(e.given())
                    + " differs from the resumed run's --" + e.option().key() + " " + RunConfig.ConflictException.shown(e.stored())
                    + "; only --epochs, --patience, --threads, --checkpoint-every (and the outputs --checkpoint-dir, --model,"
                    + " --report, --plot, --k) may change when resuming");
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
                Map<String, Object> json = Reports.trainReport(r.split().dataset(), r, r.run().modelSettings(), r.run().trainConfig(), protocol, backend);
                json.put("loss", Reports.loss(r.run().lossConfig(), r.config().numItems()));
                AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
                out.println("report written to " + report);
            }
        }
        return 0;
    }
}
