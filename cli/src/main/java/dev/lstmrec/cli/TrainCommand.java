package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.ModelSettings;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lstmrec train}: read, split, train with early stopping, evaluate against popularity, save the best model. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Trains an LSTM next-item recommender and reports leave-one-out test metrics beside the popularity baseline.",
                "Without --data it trains on a built-in synthetic log (deterministic, with sequential structure)."})
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    DataOptions dataOptions = new DataOptions();

    @Option(names = "--dim", defaultValue = "64", description = "Embedding width d (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--hidden", defaultValue = "64", description = "LSTM hidden width h (default ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--layers", defaultValue = "1", description = "Stacked LSTM layers (default ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--max-len", defaultValue = "200", description = "Longest history unrolled (BPTT truncation, default ${DEFAULT-VALUE}).")
    int maxLen;

    @Option(names = "--tied", description = "One item table for the input embedding and the output layer (needs --dim = --hidden; the output bias stays).")
    boolean tied;

    @Option(names = "--dropout", defaultValue = "0.2", description = "Dropout on embeddings and LSTM outputs (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--batch", defaultValue = "64", description = "Sequences per mini-batch (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "0.003", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    float lr;

    @Option(names = "--epochs", defaultValue = "60", description = "Maximum epochs; early stopping may end sooner (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", defaultValue = "10",
            description = "Stop after this many epochs without a better validation NDCG@10; 0 = never (default ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--weight-decay", defaultValue = "0", description = "Decoupled (AdamW) weight decay (default ${DEFAULT-VALUE}).")
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

    @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation, shuffling, dropout and sampling (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--model", defaultValue = "model.lstmrec", paramLabel = "FILE",
            description = "Where to write the best model (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report of the run.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Draw training loss and validation HR@10/NDCG@10 per epoch, with the popularity baseline, as a PNG.")
    Path plot;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Save the training state here after every epoch (and --checkpoint-every batches), keeping the newest two.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Also save every N batches within an epoch (default: only after each epoch).")
    int checkpointEvery;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run whose checkpoints are in DIR; give the same data and model/training options.")
    Path resume;

    @Mixin
    EvalOptions evalOptions = new EvalOptions();

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ModelSettings settings = new ModelSettings(dim, hidden, layers, maxLen, dropout, dropout, tied);
        Usage.validated(spec, () -> settings.forItems(1)); // checks the model options before any work is done
        TrainConfig train = Usage.validated(spec, () -> new TrainConfig(batch, lr, epochs, patience, seed, weightDecay, clipNorm));
        LossConfig lossConfig = Usage.validated(spec, () -> new LossConfig(LossConfig.Loss.parse(loss), negatives, sampleAlpha, logq, bpreg));
        if (checkpointEvery < 0) throw Usage.error(spec, "--checkpoint-every must be >= 0, got " + checkpointEvery);
        if (checkpointEvery > 0 && checkpointDir == null && resume == null) throw Usage.error(spec, "--checkpoint-every needs --checkpoint-dir");
        Protocol protocol = evalOptions.protocol(seed);
        dataOptions.readOptions(); // checks the data options before any work is done
        Dataset data;
        if (dataOptions.data == null) {
            data = SyntheticData.generate(SyntheticConfig.defaults());
            err.println("lstmrec: no --data given: training on the built-in synthetic dataset (see README)");
        } else {
            err.println("lstmrec: reading " + dataOptions.data);
            data = dataOptions.read();
        }
        err.println("lstmrec: " + Reports.describe(data));
        try (Backend backend = common.createBackend(err)) {
            err.println("lstmrec: protocol: " + protocol.describe());
            err.println("lstmrec: loss: " + lossConfig.describe(data.numItems()));
            Map<String, String> info = new LinkedHashMap<>();
            info.put("dataset", data.source());
            info.put("backend", backend.name());
            ProgressPrinter progress = new ProgressPrinter(err, System.console() != null, epochs);
            Path stateDir = checkpointDir != null ? checkpointDir : resume;
            Path stopDir = stateDir != null ? stateDir : model.toAbsolutePath().resolveSibling(model.getFileName() + ".checkpoints");
            Experiment.Result r;
            try (StopOnSignal stop = StopOnSignal.install()) {
                try {
                    r = Experiment.run(data, settings, train, lossConfig, protocol, backend, progress, info,
                            stateDir, checkpointEvery, resume != null, stop::requested, stopDir);
                } catch (TrainingInterruptedException e) {
                    // Reported before the stop hook is released, so the message is out before the JVM exits.
                    err.println("lstmrec: interrupted: " + e.getMessage());
                    if (e.checkpoint() != null) {
                        err.println("lstmrec: continue with the same command plus --resume " + e.checkpoint().getParent());
                    }
                    return 130;
                }
            }
            r.model().save(model);
            Reports.printSummary(out, r, protocol, evalOptions.k);
            out.println("model saved to " + model);
            if (plot != null) {
                TrainingChart.writeTrainingChart(plot, r, TrainingChart.defaultTitle(r));
                out.println("chart written to " + plot);
            }
            if (report != null) {
                Map<String, Object> json = Reports.trainReport(data, r, settings, train, protocol, backend);
                json.put("loss", lossReport(lossConfig, data.numItems()));
                AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
                out.println("report written to " + report);
            }
        }
        return 0;
    }

    /** The report's record of the loss: what was asked, what trained, why, and the sampling settings. */
    private static Map<String, Object> lossReport(LossConfig l, int items) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("requested", l.loss().cliName());
        m.put("trained", l.resolve(items).cliName());
        m.put("why", l.describe(items));
        m.put("negatives", l.negatives());
        m.put("sample_alpha", (double) l.sampleAlpha());
        m.put("logq", (double) l.logq());
        m.put("bpreg", (double) l.bpreg());
        return m;
    }
}
