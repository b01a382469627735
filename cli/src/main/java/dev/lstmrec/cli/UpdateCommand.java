package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Lineage;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.UpdateBuilder;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.CheckpointDirectoryInUseException;
import dev.lstmrec.engine.train.TrainingCheckpoints;
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

/**
 * {@code lstmrec update}: continues training a saved model on new events, growing its catalogue, through
 * {@link UpdateBuilder}; its settings are train's ({@link RunOptionSpecs}), the network's shape the model's.
 */
@Command(name = "update", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = RunOptionSpecs.class,
        description = {"Continues training a saved model on events that arrived after it, adding the items it has not seen.",
                "New events extend the stored histories (a known user's must not be older than their last stored event);",
                "training takes the windows that end in new events, with their stored context, plus --replay windows from",
                "the stored histories, drawn anew every epoch; validation holds out each user's latest new event (at most",
                "2,000 users, the latest). --epochs defaults to " + UpdateBuilder.DEFAULT_EPOCHS + "; --patience counts",
                "every epoch without a new best."})
final class UpdateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "FILE", description = "The model to update (written by train or update).")
    Path model;

    @Option(names = "--out", paramLabel = "FILE", description = "Where to write the updated model (atomically; the old model is never touched).")
    Path out;

    @Option(names = "--journal", paramLabel = "DIR",
            description = "Take the new events from the event journal in DIR (written by serve --journal), from the model's"
                    + " journal position on (all of it when the model has none), instead of --data; the output records where"
                    + " it read the journal up to (docs/journal.md).")
    Path journal;

    @Option(names = "--replay", paramLabel = "F",
            description = "Windows from the stored histories trained per window of new events, drawn anew every epoch, so the"
                    + " model does not forget (default " + UpdateBuilder.DEFAULT_REPLAY + "; 0 = none).")
    Double replay;

    @Option(names = "--time-budget", paramLabel = "DURATION",
            description = "Stop training at the first epoch boundary after this long, e.g. 10m, 1h, 90s, keeping the best epoch (default: no limit).")
    String timeBudget;

    @Option(names = "--allow-out-of-order",
            description = "Take a known user's events that are older than their last stored event, merged into the stored history by time.")
    boolean allowOutOfOrder;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "Save the update's training state here after every epoch (and --checkpoint-every batches); a new update needs an empty or new directory.")
    Path checkpointDir;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the update whose state is in DIR with its stored settings, parent model, data and output; nothing else is needed.")
    Path resume;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report of the update.")
    Path report;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err, stdout = System.out;
        RunConfig stored = null;
        if (resume != null) {
            TrainingCheckpoints.Loaded loaded = TrainingCheckpoints.readLatest(resume);
            if (loaded.runConfig() == null || RunConfig.fromJson(loaded.runConfig()).remembered("model") == null) {
                throw new CliException(resume + ": not the state of an update");
            }
            stored = RunConfig.fromJson(loaded.runConfig());
        }
        Path modelFile = model != null ? model : stored != null ? Path.of(stored.remembered("model")) : null;
        Path outFile = out != null ? out : stored != null ? Path.of(stored.remembered("out")) : null;
        Path reportFile = report != null ? report : stored != null && stored.remembered("report") != null ? Path.of(stored.remembered("report")) : null;
        if (modelFile == null) throw Usage.error(spec, "--model is required (the model to update)");
        if (outFile == null) throw Usage.error(spec, "--out is required (where to write the updated model)");
        boolean data = RunOptionSpecs.given(spec, RunOption.DATA) != null;
        if (data && journal != null) throw Usage.error(spec, "--data and --journal are two sources of the new events: give one");
        if (!data && journal == null && resume == null) throw Usage.error(spec, "--data or --journal is required (the new events)");
        SavedModel parent = SavedModel.load(modelFile);
        UpdateBuilder b = LstmRec.updater(parent).checkpointDir(checkpointDir).resume(resume).journal(journal);
        for (Map.Entry<RunOption, String> e : RunOptionSpecs.given(spec).entrySet()) {
            Usage.validated(spec, () -> b.set(e.getKey(), e.getValue()));
        }
        b.remember("model", modelFile.toAbsolutePath().normalize().toString());
        b.remember("out", outFile.toAbsolutePath().normalize().toString());
        if (reportFile != null) b.remember("report", reportFile.toAbsolutePath().normalize().toString());
        if (replay != null) Usage.validated(spec, () -> b.replay(replay));
        if (allowOutOfOrder) b.allowOutOfOrder(true);
        if (timeBudget != null) {
            double seconds = Usage.validated(spec, () -> TuneCommand.parseDuration(timeBudget));
            Usage.validated(spec, () -> b.timeBudget(java.time.Duration.ofMillis((long) (seconds * 1000))));
        }
        RunConfig run;
        try {
            run = b.resolve();
        } catch (RunConfig.ConflictException e) {
            throw Usage.error(spec, "--" + e.option().key() + " " + RunConfig.ConflictException.shown(e.given()) + " differs from the"
                    + " resumed update's " + RunConfig.ConflictException.shown(e.stored()));
        } catch (IllegalArgumentException e) {
            throw Usage.error(spec, Usage.asOption(e.getMessage()));
        }
        UpdateBuilder.Result r;
        try (Backend backend = common.createBackend(err, run.get(RunOption.BACKEND), run.intValue(RunOption.THREADS));
             StopOnSignal stop = StopOnSignal.install()) {
            b.backend(backend).listener(new ProgressPrinter(err, System.console() != null, run.intValue(RunOption.EPOCHS)))
                    .stopWhen(stop::requested);
            try {
                r = b.train();
            } catch (TrainingInterruptedException e) {
                err.println("lstmrec: interrupted: " + e.getMessage());
                if (e.checkpoint() != null) err.println("lstmrec: continue with: lstmrec update --resume " + e.checkpoint().getParent());
                return 130;
            } catch (CheckpointDirectoryInUseException e) {
                throw new CliException(e.getMessage() + " (continue that update with --resume " + e.directory() + ")");
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
        r.model().save(outFile);
        double ndcg = r.training().epochs().get(r.training().bestEpoch() - 1).validation().get(Metric.NDCG, 10);
        stdout.printf("update: %,d new events, %,d new items (catalogue %,d items), %,d windows of new events + %,d replayed per epoch;"
                        + " best epoch %d of %d, validation NDCG@10 %.4f on %,d held-out events; %.1f s%n", r.merged().newEvents(),
                r.merged().newItems(), r.merged().numItems(), r.newWindows(), r.replayWindows(), r.training().bestEpoch(),
                r.training().epochs().size(), ndcg, r.validationCases(), r.seconds());
        Lineage lineage = Lineage.of(r.model());
        if (lineage.journalPosition().isPresent()) stdout.printf("journal position: %,d%n", lineage.journalPosition().getAsLong());
        stdout.println("model saved to " + outFile);
        if (reportFile != null) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("parent", modelFile.toString());
            json.put("model", outFile.toString());
            json.put("new_events", r.merged().newEvents());
            json.put("new_items", r.merged().newItems());
            json.put("items", r.merged().numItems());
            json.put("new_windows", r.newWindows());
            json.put("replay_windows_per_epoch", r.replayWindows());
            json.put("validation_cases", r.validationCases());
            json.put("best_epoch", r.training().bestEpoch());
            json.put("epochs", r.training().epochs().size());
            json.put("validation_ndcg10", ndcg);
            json.put("seconds", r.seconds());
            json.put("lineage", lineage.into(Map.of()));
            AtomicFiles.writeString(reportFile, Json.writePretty(json) + "\n");
            stdout.println("report written to " + reportFile);
        }
        return 0;
    }
}
