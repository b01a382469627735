package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Backtest;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.TrainingListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code lstmrec backtest}: the time-ordered replay of {@link Backtest}, printed chunk by chunk, with a JSON report and
 * a chart; its training settings are train's ({@link RunOptionSpecs}).
 */
@Command(name = "backtest", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = RunOptionSpecs.class,
        description = {"Replays a time-stamped log in time order to measure what incremental updates are worth against retraining and a frozen model.",
                "Trains on the first --initial fraction of time; then, for each of --chunks later chunks of equal event count,",
                "scores every event from its user's earlier events (all items ranked, ties against the target; targets new",
                "since the initial data also counted apart), then updates: frozen never, incremental with update on the chunk,",
                "retrain from scratch on everything up to the chunk's end. Popularity counted up to each event is the baseline."})
final class BacktestCommand implements Callable<Integer> {
    private static final List<String> SHOWN = List.of("HR@10", "HR@20", "NDCG@10", "NDCG@20", "MRR@20");

    @Spec
    CommandSpec spec;

    @Option(names = "--initial", defaultValue = "0.5", paramLabel = "F",
            description = "Fraction of the log's time span the initial models train on (default ${DEFAULT-VALUE}).")
    double initial;

    @Option(names = "--chunks", defaultValue = "8", paramLabel = "C",
            description = "Chunks of equal event count after the initial part (default ${DEFAULT-VALUE}).")
    int chunks;

    @Option(names = "--modes", defaultValue = "incremental,retrain,frozen", paramLabel = "LIST",
            description = "Modes to replay, comma-separated: incremental, retrain, frozen (default ${DEFAULT-VALUE}).")
    String modes;

    @Option(names = "--work-dir", paramLabel = "DIR",
            description = "Store each finished chunk and the models here; rerunning the same command continues after the last finished chunk.")
    Path workDir;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the per-chunk metrics and seconds and the means as JSON.")
    Path report;

    @Option(names = "--plot", paramLabel = "FILE", description = "Draw HR@20 per chunk per mode (all targets and new-item targets) as PNG.")
    Path plot;

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        PrintStream err = System.err, out = System.out;
        if (RunOptionSpecs.given(spec, RunOption.DATA) == null) throw Usage.error(spec, "--data is required (the time-stamped log to replay)");
        List<Backtest.Mode> modeList = Usage.validated(spec, () -> Backtest.Mode.parseList(modes));
        if (!(initial > 0 && initial < 1)) throw Usage.error(spec, "--initial must be in (0, 1), got " + initial);
        if (chunks < 1) throw Usage.error(spec, "--chunks must be >= 1, got " + chunks);
        RunConfig run = RunOptionSpecs.config(spec);
        DataOptions data = new DataOptions(spec);
        data.readOptions();
        Dataset log = data.read();
        err.println("lstmrec: " + Reports.describe(log));
        if (!log.timed()) {
            throw new CliException(log.source() + " has no time stamps: backtest replays a log in time order; give a log with a"
                    + " time column (ml-100k, ml-1m, ml-csv, gru4rec, or --format generic --columns with time)");
        }
        Backtest b = LstmRec.backtest(log).initial(initial).chunks(chunks).modes(modeList).workDir(workDir);
        for (Map.Entry<RunOption, String> e : RunOptionSpecs.given(spec).entrySet()) Usage.validated(spec, () -> b.set(e.getKey(), e.getValue()));
        Usage.validated(spec, b::resolve);
        Backtest.Result r;
        try (Backend backend = common.createBackend(err, run.get(RunOption.BACKEND), run.intValue(RunOption.THREADS))) {
            TrainingListener listener = new TrainingListener() {
                @Override
                public void onMessage(String message) {
                    err.println("lstmrec: " + message);
                }

                @Override
                public void onEpoch(dev.lstmrec.engine.train.EpochResult e) {
                    err.printf(Locale.ROOT, "lstmrec:   epoch %d: loss %.4f, validation NDCG@10 %.4f%s (%.1f s)%n", e.epoch(), e.loss(),
                            e.validation().asMap().getOrDefault("NDCG@10", 0.0), e.improved() ? " *" : "", e.seconds() + e.validSeconds());
                }
            };
            b.backend(backend).listener(listener).onChunk(c -> print(out, c, chunks));
            try {
                r = b.run();
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
        printSummary(out, r);
        if (report != null) {
            AtomicFiles.writeString(report, Json.writePretty(report(r, log)) + "\n");
            out.println("report written to " + report);
        }
        if (plot != null) {
            TrainingChart.writeBacktestChart(plot, r, "lstmrec backtest: " + log.source());
            out.println("chart written to " + plot);
        }
        return 0;
    }

    private static void print(PrintStream out, Backtest.Chunk c, int chunks) {
        out.printf(Locale.ROOT, "chunk %d/%d: %,d events (%s .. %s), %,d scored, %,d with a new target%n", c.index(), chunks, c.events(),
                Instant.ofEpochMilli(c.firstTime()), Instant.ofEpochMilli(c.lastTime()), c.cases(), c.newItemCases());
        for (Backtest.ModeChunk m : c.modes()) {
            out.printf(Locale.ROOT, "  %-11s %s | new %s | train %7.1f s%s%n", m.mode().key(), shown(m.scores().all()),
                    shown(m.scores().newItems(), "HR@20"), m.trainSeconds(), m.note().isEmpty() ? "" : " (" + m.note() + ")");
        }
        out.printf(Locale.ROOT, "  %-11s %s | new %s%n", "popularity", shown(c.popularity().all()), shown(c.popularity().newItems(), "HR@20"));
        out.flush();
    }

    private static String shown(Metrics m, String... keys) {
        return shown(m.asMap(), keys.length == 0 ? SHOWN : List.of(keys));
    }

    private static String shown(Map<String, Double> m, List<String> keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) sb.append(sb.length() == 0 ? "" : "  ").append(k).append(' ').append(String.format(Locale.ROOT, "%.4f", m.get(k)));
        return sb.toString();
    }

    private static void printSummary(PrintStream out, Backtest.Result r) {
        out.printf(Locale.ROOT, "means over %d chunks (initial training %.1f s):%n", r.chunks().size(), r.initialSeconds());
        for (Backtest.Mode m : r.modes()) {
            out.printf(Locale.ROOT, "  %-11s %s | new %s | train %.1f s in all%n", m.key(), shown(r.mean(m, false), SHOWN),
                    shown(r.mean(m, true), List.of("HR@20")), r.totalSeconds(m));
        }
        out.printf(Locale.ROOT, "  %-11s %s | new %s%n", "popularity", shown(r.meanPopularity(false), SHOWN),
                shown(r.meanPopularity(true), List.of("HR@20")));
    }

    private Map<String, Object> report(Backtest.Result r, Dataset log) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", log.source());
        json.put("events", log.numInteractions());
        json.put("initial", initial);
        json.put("initial_events", r.plan().initialEvents());
        json.put("initial_seconds", r.initialSeconds());
        json.put("chunks", r.chunks().size());
        json.put("modes", r.modes().stream().map(Backtest.Mode::key).toList());
        json.put("protocol", "each event scored from its user's earlier events; all items ranked, ties against the target; "
                + "history " + (RunOptionSpecs.config(spec).booleanValue(RunOption.EXCLUDE_SEEN) ? "excluded" : "not excluded")
                + "; a target the model does not know is a miss; new items: not in the initial training data");
        json.put("settings", RunOptionSpecs.given(spec).entrySet().stream().collect(java.util.stream.Collectors.toMap(
                e -> e.getKey().key(), Map.Entry::getValue, (a, x) -> a, LinkedHashMap::new)));
        List<Object> per = new ArrayList<>();
        for (Backtest.Chunk c : r.chunks()) per.add(Backtest.chunkToJson(c));
        json.put("per_chunk", per);
        Map<String, Object> means = new LinkedHashMap<>();
        for (Backtest.Mode m : r.modes()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("all", r.mean(m, false));
            x.put("new_items", r.mean(m, true));
            x.put("train_seconds", r.totalSeconds(m));
            means.put(m.key(), x);
        }
        Map<String, Object> pop = new LinkedHashMap<>();
        pop.put("all", r.meanPopularity(false));
        pop.put("new_items", r.meanPopularity(true));
        means.put("popularity", pop);
        json.put("means", means);
        return json;
    }
}
