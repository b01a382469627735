package dev.lstmrec.cli;

// train --test-data: the session-based protocol's run, summary and report (SessionExperiment in the engine does the
// work). Kept apart from TrainCommand's leave-one-out path so each stays short.

import dev.lstmrec.engine.api.ModelSettings;
import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.TrainingInterruptedException;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Runs {@code train --test-data}: train and validate on --data, test once on the sessions of --test-data. */
final class SessionTraining {
    private SessionTraining() {}

    static int run(TrainCommand cmd, Dataset data, ModelSettings settings, TrainConfig train, PrintStream err, PrintStream out)
            throws Exception {
        if (cmd.evalOptions.negatives != 0) {
            throw Usage.error(cmd.spec, "--eval-negatives does not apply with --test-data: the session protocol ranks against all items");
        }
        if (cmd.plot != null) throw Usage.error(cmd.spec, "--plot is not available with --test-data yet");
        err.println("lstmrec: reading test sessions from " + cmd.testData);
        Dataset testLog = cmd.dataOptions.readTest(cmd.testData);
        TestSessions test = SessionExperiment.testSessions(data, testLog);
        err.println("lstmrec: " + test.describe());
        try (Backend backend = cmd.common.createBackend(err)) {
            err.println("lstmrec: protocol: " + SessionExperiment.describe());
            Map<String, String> info = new LinkedHashMap<>();
            info.put("dataset", data.source());
            info.put("test_dataset", testLog.source());
            info.put("backend", backend.name());
            ProgressPrinter progress = new ProgressPrinter(err, System.console() != null, cmd.epochs);
            Path stateDir = cmd.checkpointDir != null ? cmd.checkpointDir : cmd.resume;
            Path stopDir = stateDir != null ? stateDir : cmd.model.toAbsolutePath().resolveSibling(cmd.model.getFileName() + ".checkpoints");
            SessionExperiment.Result r;
            try (StopOnSignal stop = StopOnSignal.install()) {
                try {
                    r = SessionExperiment.run(data, test, settings, train, backend, progress, info, stateDir,
                            cmd.checkpointEvery, cmd.resume != null, stop::requested, stopDir);
                } catch (TrainingInterruptedException e) {
                    err.println("lstmrec: interrupted: " + e.getMessage());
                    if (e.checkpoint() != null) {
                        err.println("lstmrec: continue with the same command plus --resume " + e.checkpoint().getParent());
                    }
                    return 130;
                }
            }
            r.model().save(cmd.model);
            var t = r.training();
            out.printf("best epoch %d of %d%s; training %,.0f tokens/s; total %.1fs%n", t.bestEpoch(), t.epochs().size(),
                    t.stoppedEarly() ? " (early stopping)" : "", t.tokensPerSecond(), r.seconds());
            printSummary(out, testLog.source(), test, r.test(), r.popularity());
            out.println("model saved to " + cmd.model);
            if (cmd.report != null) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("dataset", Reports.dataset(data));
                json.put("test_dataset", testDataset(testLog, test));
                json.put("config", Reports.config(settings, train));
                json.put("backend", backend.name());
                json.put("backend_description", backend.description());
                json.put("epochs", Reports.epochs(t));
                json.put("best_epoch", t.bestEpoch());
                json.put("stopped_early", t.stoppedEarly());
                json.put("validation_cases", r.validationCases());
                json.put("test", new LinkedHashMap<>(r.test().asMap()));
                json.put("popularity", new LinkedHashMap<>(r.popularity().asMap()));
                json.put("train_tokens_per_s", t.tokensPerSecond());
                json.put("seconds", r.seconds());
                json.put("protocol", protocol());
                AtomicFiles.writeString(cmd.report, Json.writePretty(json) + "\n");
                out.println("report written to " + cmd.report);
            }
        }
        return 0;
    }

    /** The protocol line, the metrics table over all test positions, and HR@20 / MRR@20 (the literature's pair). */
    static void printSummary(PrintStream out, String source, TestSessions test, Metrics model, Metrics popularity) {
        out.println("test data: " + source + ": " + test.describe());
        out.println("protocol: " + SessionExperiment.describe());
        Reports.printTable(out, (int) Math.min(Integer.MAX_VALUE, test.positions()), new String[] {"model", "popularity"},
                new Metrics[] {model, popularity});
        out.printf("test HR@20 (Recall@20) %.4f  MRR@20 %.4f  (popularity %.4f / %.4f)%n", model.get("HR@20"),
                model.get("MRR@20"), popularity.get("HR@20"), popularity.get("MRR@20"));
    }

    static Map<String, Object> testDataset(Dataset testLog, TestSessions test) {
        Map<String, Object> m = Reports.dataset(testLog);
        m.put("sessions_scored", test.sessions().size());
        m.put("positions", test.positions());
        m.put("unknown_item_events_dropped", test.unknownEvents());
        m.put("sessions_dropped", test.droppedSessions());
        return m;
    }

    static Map<String, Object> protocol() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("split", "session-based: test = the sessions of --test-data; validation = the last item of each training session");
        m.put("ranking", "full");
        m.put("exclude_seen", false);
        m.put("ties", "counted against the target");
        m.put("description", SessionExperiment.describe());
        return m;
    }
}
