package dev.lstmrec.cli;

// train --test-data / evaluate --test-data: the session-based protocol's summary and report (TrainingBuilder and
// SessionExperiment in the engine do the work). Kept apart from Reports' leave-one-out output so each stays short.

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Prints and reports a {@code train --test-data} run: train and validate on --data, test once on --test-data's sessions. */
final class SessionTraining {
    private SessionTraining() {}

    /** The summary lines on {@code out} and, when {@code report} is set, the JSON report. */
    static void summarize(Experiment.Result r, Backend backend, Path model, Path report, PrintStream out) throws IOException {
        var t = r.training();
        String testSource = r.model().info().get("test_dataset");
        out.printf("best epoch %d of %d%s; training %,.0f tokens/s; total %.1fs%n", t.bestEpoch(), t.epochs().size(),
                t.stoppedEarly() ? " (early stopping)" : "", t.tokensPerSecond(), r.seconds());
        printSummary(out, testSource, r.sessions(), r.test(), r.popularity());
        out.println("model saved to " + model);
        if (report == null) return;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", trainingDataset(r.model()));
        json.put("test_dataset", testDataset(testSource, r.sessions()));
        json.put("config", Reports.config(r.config(), r.run().trainConfig()));
        json.put("loss", Reports.loss(r.run().lossConfig(), r.config().numItems()));
        json.put("backend", backend.name());
        json.put("backend_description", backend.description());
        json.put("epochs", Reports.epochs(t, r.testCurve()));
        json.put("best_epoch", t.bestEpoch());
        json.put("stopped_early", t.stoppedEarly());
        json.put("validation_cases", t.epochs().isEmpty() ? 0 : t.epochs().get(0).validation().cases());
        json.put("test", new LinkedHashMap<>(r.test().asMap()));
        json.put("popularity", new LinkedHashMap<>(r.popularity().asMap()));
        json.put("train_tokens_per_s", t.tokensPerSecond());
        json.put("seconds", r.seconds());
        json.put("protocol", protocol());
        AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
        out.println("report written to " + report);
    }

    /** The protocol line, the metrics table over all test positions, and HR@20 / MRR@20 (the literature's pair). */
    static void printSummary(PrintStream out, String source, TestSessions test, Metrics model, Metrics popularity) {
        out.println("test data: " + source + ": " + test.describe());
        out.println("protocol: " + SessionExperiment.describe());
        Reports.printTable(out, (int) Math.min(Integer.MAX_VALUE, test.positions()), new String[] {"model", "popularity"},
                new Metrics[] {model, popularity});
        out.printf("test HR@20 (Recall@20) %.4f  MRR@20 %.4f  (popularity %.4f / %.4f)%n", model.get(Metric.HR, 20),
                model.get(Metric.MRR, 20), popularity.get(Metric.HR, 20), popularity.get(Metric.MRR, 20));
    }

    /** The training log as the model holds it (the run's dataset itself is not kept after training). */
    private static Map<String, Object> trainingDataset(SavedModel model) {
        Map<String, Object> m = new LinkedHashMap<>();
        long interactions = 0;
        for (int[] h : model.histories()) interactions += h.length;
        m.put("source", model.info().get("dataset"));
        m.put("users", model.userIds().size());
        m.put("items", model.config().numItems());
        m.put("interactions", interactions);
        return m;
    }

    static Map<String, Object> testDataset(Dataset testLog, TestSessions test) {
        Map<String, Object> m = Reports.dataset(testLog);
        m.putAll(scored(test));
        return m;
    }

    private static Map<String, Object> testDataset(String source, TestSessions test) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", source);
        m.put("users", test.sessions().size() + test.droppedSessions());
        m.put("interactions", test.events());
        m.putAll(scored(test));
        return m;
    }

    private static Map<String, Object> scored(TestSessions test) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("sessions_scored", test.sessions().size());
        m.put("positions", test.positions());
        m.put("unknown_item_events_dropped", test.unknownEvents());
        m.put("sessions_dropped", test.droppedSessions());
        return m;
    }

    static Map<String, Object> protocol() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("split", "session-based: test = the sessions of --test-data; " + SessionExperiment.VALIDATION);
        m.put("ranking", "full");
        m.put("exclude_seen", false);
        m.put("ties", "counted against the target");
        m.put("description", SessionExperiment.describe());
        return m;
    }
}
