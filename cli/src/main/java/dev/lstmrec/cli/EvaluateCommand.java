package dev.lstmrec.cli;

import dev.lstmrec.engine.api.ModelEvaluation;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.api.SessionExperiment;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.TestSessions;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code lstmrec evaluate}: leave-one-out test metrics of a saved model beside the popularity baseline. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = RunOptionSpecs.class,
        description = {"Evaluates a saved model: each user's last item is the test target, the rest the history.",
                "Uses the histories stored in the model, or those of --data (items the model does not know are dropped and counted)."})
final class EvaluateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model written by train.")
    Path model;

    /** The data settings given (declared by {@link RunOptionSpecs}); set when the command runs. */
    private DataOptions dataOptions;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the sampled protocol's negatives (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the metrics as JSON.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE.png",
            description = "Write a PNG bar chart of the model beside the popularity baseline (HR, NDCG, MRR at 5, 10, 20).")
    Path plot;

    @Option(names = "--test-data", paramLabel = "FILE",
            description = "Session-based protocol on this log's sessions (every next item of every session; format options as --data).")
    Path testData;

    @Mixin
    EvalOptions evalOptions = new EvalOptions();

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        dataOptions = new DataOptions(spec);
        Protocol protocol = evalOptions.protocol(seed);
        dataOptions.readOptions();
        SavedModel saved = SavedModel.load(model);
        if (testData != null) return evaluateSessions(saved);
        List<int[]> sequences;
        long[] dropped = {0};
        String source;
        if (dataOptions.data() != null) {
            Dataset data = dataOptions.read();
            System.err.println("lstmrec: " + Reports.describe(data));
            sequences = ModelEvaluation.mapToModel(saved, data, dropped);
            source = data.source();
            if (dropped[0] > 0) System.err.printf("lstmrec: %,d interactions with items unknown to the model were dropped%n", dropped[0]);
        } else {
            sequences = Arrays.asList(saved.histories());
            source = saved.info().getOrDefault("dataset", model.toString()) + " (histories stored in the model)";
        }
        try (Backend backend = common.createBackend(System.err)) {
            ModelEvaluation.Result r = ModelEvaluation.evaluate(saved, sequences, protocol, backend, dropped[0]);
            System.out.println("data: " + source);
            System.out.println("protocol: " + protocol.describe());
            Reports.printTable(System.out, r.cases(), new String[] {"model", "popularity"}, new Metrics[] {r.model(), r.popularity()});
            if (report != null) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("model", model.toString());
                json.put("data", source);
                json.put("cases", r.cases());
                json.put("dropped_unknown_interactions", r.droppedUnknown());
                json.put("backend", backend.name());
                json.put("test", new LinkedHashMap<>(r.model().asMap()));
                json.put("popularity", new LinkedHashMap<>(r.popularity().asMap()));
                json.put("protocol", Reports.protocol(protocol));
                AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
            }
            if (plot != null) {
                TrainingChart.writeEvaluationChart(plot, r, "lstmrec evaluate: " + model.getFileName() + " on " + source
                        + " (backend " + backend.name() + ")");
                System.out.println("chart written to " + plot);
            }
        }
        return 0;
    }

    private int evaluateSessions(SavedModel saved) throws Exception {
        if (evalOptions.negatives() != 0) throw Usage.error(spec, "--eval-negatives does not apply with --test-data");
        if (dataOptions.data() != null) throw Usage.error(spec, "give either --data (leave-one-out) or --test-data (sessions), not both");
        if (plot != null) throw Usage.error(spec, "--plot is not available with --test-data yet");
        Dataset testLog = dataOptions.readTest(testData);
        TestSessions test = SessionExperiment.testSessions(saved, testLog);
        System.err.println("lstmrec: " + test.describe());
        try (Backend backend = common.createBackend(System.err)) {
            Metrics[] r = SessionExperiment.evaluate(saved, test, backend);
            SessionTraining.printSummary(System.out, testLog.source(), test, r[0], r[1]);
            if (report != null) {
                Map<String, Object> json = new LinkedHashMap<>();
                json.put("model", model.toString());
                json.put("test_dataset", SessionTraining.testDataset(testLog, test));
                json.put("backend", backend.name());
                json.put("test", new LinkedHashMap<>(r[0].asMap()));
                json.put("popularity", new LinkedHashMap<>(r[1].asMap()));
                json.put("protocol", SessionTraining.protocol());
                AtomicFiles.writeString(report, Json.writePretty(json) + "\n");
            }
        }
        return 0;
    }
}
