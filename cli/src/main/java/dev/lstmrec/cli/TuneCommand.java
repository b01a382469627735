package dev.lstmrec.cli;

// `lstmrec tune`: the thin CLI over dev.lstmrec.engine.tune. Reads the data, runs the search (ASHA by default) with
// progress on stderr, prints the leaderboard and the winning configuration as the exact `train` command, then
// evaluates the winner on the test targets once (beside popularity), saves its model and writes the report.

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.RunConfig;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.SyntheticConfig;
import dev.lstmrec.engine.data.SyntheticData;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import dev.lstmrec.engine.train.TrainingListener;
import dev.lstmrec.engine.tune.Budget;
import dev.lstmrec.engine.tune.Rungs;
import dev.lstmrec.engine.tune.SearchSpace;
import dev.lstmrec.engine.tune.TrainingObjective;
import dev.lstmrec.engine.tune.Trial;
import dev.lstmrec.engine.tune.TuneListener;
import dev.lstmrec.engine.tune.Tuner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code lstmrec tune}: hyper-parameter search on validation NDCG@10, then the winner's test metrics once. */
@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = RunOptionSpecs.class,
        description = {"Searches training settings by validation NDCG@10 and prints the best as a `train` command.",
                "Successive halving over a search space; prints the leaderboard and tests the winner once."})
final class TuneCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** The data settings given (declared by {@link RunOptionSpecs}); set when the command runs. */
    private DataOptions dataOptions;

    @Option(names = "--trials", defaultValue = "0", paramLabel = "N", description = "Most trials to start; 0 = no limit (default).")
    int trials;

    @Option(names = "--time-budget", paramLabel = "DURATION",
            description = "Wall-clock budget of the whole run, e.g. 30m, 1h30m, 90s (default 30m unless --trials is given).")
    String timeBudget;

    @Option(names = "--space", paramLabel = "FILE.json", description = "Search space (default: the built-in one; --print-space shows it).")
    Path space;

    @Option(names = "--print-space", description = {"Print the default search space as JSON and exit (catalogues above 100,000 items leave",
            "width 256 out; with --format gru4rec or --test-data, the session-log space)."})
    boolean printSpace;

    @Option(names = "--scheduler", defaultValue = "asha", paramLabel = "asha|random",
            description = "asha: successive halving, trials stopped early and the best continued (default); random: every trial trains fully.")
    String scheduler;

    @Option(names = "--min-epochs", paramLabel = "N", description = "ASHA's first rung, in epochs (default 3; 2 on session logs).")
    Integer minEpochs;

    @Option(names = "--eta", defaultValue = "3", paramLabel = "N", description = "ASHA's promotion ratio: the top 1/eta move up (default ${DEFAULT-VALUE}).")
    int eta;

    @Option(names = "--max-epochs", paramLabel = "N",
            description = "Epochs of a fully trained trial: the `--epochs` of the printed command (default 40; on session logs train's 10).")
    Integer maxEpochs;

    @Option(names = "--patience", paramLabel = "N", description = "Early-stopping patience of every trial (default 10; on session logs train's 3).")
    Integer patience;

    @Option(names = "--seed", defaultValue = "42", description = "Training seed of every trial (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--search-seed", defaultValue = "1", paramLabel = "N", description = "Seed of the configurations drawn (default ${DEFAULT-VALUE}).")
    long searchSeed;

    @Option(names = "--work-dir", paramLabel = "DIR", description = "Search state and trial checkpoints (default: MODEL.tune).")
    Path workDir;

    @Option(names = "--resume", description = "Continue the search in --work-dir (rerunning the same command does so too); fail if there is none.")
    boolean resume;

    @Option(names = "--model", defaultValue = "model.lstmrec", paramLabel = "FILE", description = "Where to write the winner's model (default ${DEFAULT-VALUE}).")
    Path model;

    @Option(names = "--report", paramLabel = "FILE", description = "Write a JSON report: leaderboard, best configuration and command, test metrics.")
    Path report;

    @Mixin
    EvalOptions evalOptions = new EvalOptions();

    @Mixin
    CommonOptions common = new CommonOptions();

    @Override
    public Integer call() throws Exception {
        dataOptions = new DataOptions(spec);
        PrintStream err = System.err;
        PrintStream out = System.out;
        if (printSpace) {
            out.println((sessionLog() ? SearchSpace.sessionDefaults(SearchSpace.WIDE_MAX_ITEMS) : SearchSpace.defaults()).toJson());
            return 0;
        }
        // Session logs search under train's own session defaults: ten epochs, patience 3, first rung at 2.
        if (maxEpochs == null) maxEpochs = sessionLog() ? Integer.parseInt(RunOption.EPOCHS.sessionDefault().orElseThrow()) : 40;
        if (patience == null) patience = sessionLog() ? Integer.parseInt(RunOption.PATIENCE.sessionDefault().orElseThrow()) : 10;
        if (minEpochs == null) minEpochs = sessionLog() ? 2 : 3;
        double budgetSeconds = timeBudget != null ? Usage.validated(spec, () -> parseDuration(timeBudget)) : trials == 0 ? 1800 : 0;
        Budget budget = Usage.validated(spec, () -> new Budget(trials, budgetSeconds, System::nanoTime));
        Rungs ladder = Usage.validated(spec, () -> switch (scheduler) {
            case "asha" -> Rungs.asha(minEpochs, eta, maxEpochs);
            case "random" -> Rungs.randomSearch(maxEpochs);
            default -> throw new IllegalArgumentException("--scheduler must be asha or random, got '" + scheduler + "'");
        });
        if (patience < 0) throw Usage.error(spec, "--patience must be >= 0, got " + patience);
        SearchSpace spaceFromFile = null;
        if (space != null) {
            if (!Files.isRegularFile(space)) throw new CliException(space + ": no such file");
            try {
                spaceFromFile = SearchSpace.parse(Files.readString(space, StandardCharsets.UTF_8), space.toString());
            } catch (IllegalArgumentException e) {
                throw new CliException(e.getMessage());
            }
        }
        Protocol protocol = evalOptions.protocol(seed);
        dataOptions.readOptions();
        Path dir = workDir != null ? workDir : model.toAbsolutePath().resolveSibling(model.getFileName() + ".tune");
        Path stateFile = dir.resolve("tune-state.json");
        if (resume && !Files.exists(stateFile)) throw new CliException("--resume: no search to continue in " + dir + " (no tune-state.json)");
        Dataset data;
        if (dataOptions.data() == null) {
            data = SyntheticData.generate(SyntheticConfig.defaults());
            err.println("lstmrec: no --data given: tuning on the built-in synthetic dataset (see README)");
        } else {
            err.println("lstmrec: reading " + dataOptions.data());
            data = dataOptions.read();
        }
        err.println("lstmrec: " + Reports.describe(data));
        // the default space depends on the catalogue's size, known only now
        SearchSpace drawn = spaceFromFile != null ? spaceFromFile
                : sessionLog() ? SearchSpace.sessionDefaults(data.numItems()) : SearchSpace.defaults(data.numItems());
        Map<String, String> fixed = fixedOptions();
        SearchSpace searchSpace = drawn.startingAt(trainDefaults(fixed));
        String backendName;
        try (Backend first = common.createBackend(err)) { // says which backend, and fails early when it cannot run
            backendName = first.name();
        }
        Supplier<Backend> backends = () -> Backends.create(backendName, new BackendOptions(common.threads(), Map.of()));
        {
            Files.createDirectories(dir);
            if (testData() != null && !Files.isRegularFile(testData())) throw new CliException(testData() + ": no such file");
            err.println("lstmrec: " + ladder + "; objective: validation NDCG@10 (full ranking"
                    + (sessionLog() ? ", the latest training sessions scored as the test sessions" : "") + "); "
                    + (budgetSeconds > 0 ? "budget " + ProgressPrinter.duration(budgetSeconds) : "no time limit")
                    + (trials > 0 ? ", at most " + trials + " trials" : "") + "; one trial at a time on all threads; state in " + dir);
            err.println(searchSpace.start() != null ? "lstmrec: trial 1 trains train's defaults; the others draw from the space"
                    : "lstmrec: every trial draws from the space (it does not hold train's defaults)");
            String fingerprint = data.source() + "|" + data.numUsers() + "|" + data.numItems() + "|" + data.numInteractions() + "|"
                    + fixed + "|" + protocol.excludeSeen();
            Tuner tuner = new Tuner(searchSpace, ladder, budget, searchSeed, stateFile, fingerprint, System::nanoTime);
            Tuner.Result result;
            Experiment.Result finalRun;
            try (StopOnSignal stop = StopOnSignal.install()) {
                TrainingObjective objective = new TrainingObjective(data, fixed, backends, protocol.excludeSeen(), dir, stop::requested);
                try {
                    result = tuner.run(objective, new Progress(err));
                    printLeaderboard(out, result, objective);
                    finalRun = objective.finalRun(result.best(), TrainingListener.SILENT);
                    String command = trainCommand(objective.options(result.best()), backendName);
                    out.println("best configuration: trial " + result.best().id() + ", validation NDCG@10 "
                            + String.format("%.4f", result.best().best()) + " at epoch " + result.best().bestEpoch());
                    out.println("  " + command);
                    out.println("test metrics of the best configuration (the test split is evaluated once, here):");
                    if (finalRun.sessionProtocol()) {
                        SessionTraining.printSummary(out, finalRun.model().info().get("test_dataset"), finalRun.sessions(),
                                finalRun.test(), finalRun.popularity());
                    } else {
                        Reports.printSummary(out, finalRun, protocol, evalOptions.k);
                    }
                    finalRun.model().save(model);
                    out.println("model saved to " + model);
                    if (report != null) {
                        AtomicFiles.writeString(report, Json.writePretty(report(data, result, objective, command, finalRun, ladder,
                                budgetSeconds, backendName)) + "\n");
                        out.println("report written to " + report);
                    }
                } catch (TrainingInterruptedException e) {
                    err.println("lstmrec: interrupted: " + e.getMessage());
                    err.println("lstmrec: continue with the same command (or add --resume)");
                    return 130;
                }
            }
        }
        return 0;
    }

    /**
     * Every train option a trial does not draw: the train defaults (the session-log ones with --test-data), with this
     * command's epochs, patience and seed.
     */
    private Map<String, String> fixedOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(RunOption.EPOCHS.key(), Integer.toString(maxEpochs));
        m.put(RunOption.PATIENCE.key(), Integer.toString(patience));
        m.put(RunOption.SEED.key(), Long.toString(seed));
        // what the trials' runs read and how they are ranked: train's own rules (the session protocol ranks every item)
        RunConfig given = RunOptionSpecs.config(spec);
        if (given.testDataFile() != null) m.put(RunOption.TEST_DATA.key(), given.get(RunOption.TEST_DATA));
        else if (given.sessionLog()) m.put(RunOption.FORMAT.key(), given.get(RunOption.FORMAT));
        if (given.sessionLog()) {
            m.put(RunOption.HOLDOUT.key(), given.get(RunOption.HOLDOUT)); // trials validate on the latest sessions: said in the command
        } else {
            m.put(RunOption.EXCLUDE_SEEN.key(), given.get(RunOption.EXCLUDE_SEEN));
            m.put(RunOption.EVAL_NEGATIVES.key(), given.get(RunOption.EVAL_NEGATIVES));
        }
        return m;
    }

    /**
     * What {@code train} runs for each searchable option given none: the fixed options, else the setting as a run with
     * them uses it ({@link RunConfig#effective}: session-log defaults on a session log, the dropout sites at --dropout).
     */
    private Map<String, String> trainDefaults(Map<String, String> fixed) {
        Map<String, String> m = new LinkedHashMap<>(fixed);
        Map<RunOption, String> given = new java.util.EnumMap<>(RunOption.class);
        fixed.forEach((k, v) -> given.put(RunOption.byKey(k).orElseThrow(), v));
        RunConfig run = Usage.validated(spec, () -> RunConfig.of(given));
        for (String key : dev.lstmrec.engine.tune.TrainOptions.names()) {
            String v = run.effective(RunOption.byKey(key).orElseThrow());
            if (!m.containsKey(key) && v != null) m.put(key, v);
        }
        return m;
    }

    /** The test log of the session protocol (--test-data); null = none. */
    private Path testData() {
        return RunOptionSpecs.config(spec).testDataFile();
    }

    /** A session log, as train decides it: a test log is given, or the data is a GRU4Rec session file. */
    private boolean sessionLog() {
        return RunOptionSpecs.config(spec).sessionLog();
    }

    private String trainCommand(Map<String, String> options, String backend) {
        StringBuilder sb = new StringBuilder("lstmrec train");
        String data = dataOptions.commandLine();
        if (!data.isEmpty()) sb.append(' ').append(data);
        Map<String, String> trainOptions = new LinkedHashMap<>(options);
        trainOptions.remove("format"); // the data options above say it
        sb.append(' ').append(dev.lstmrec.engine.tune.TrainOptions.commandLine(trainOptions, sessionLog()));
        sb.append(" --backend ").append(backend);
        if (common.threads() != 0) sb.append(" --threads ").append(common.threads());
        return sb.toString();
    }

    private static void printLeaderboard(PrintStream out, Tuner.Result r, TrainingObjective objective) {
        List<Trial> board = r.leaderboard();
        out.printf("leaderboard (%d trials, %s spent; validation NDCG@10, best first):%n", board.size(), ProgressPrinter.duration(r.spentSeconds()));
        out.printf("%4s %6s %10s %7s %6s %9s  %s%n", "rank", "trial", "valid", "epochs", "best@", "seconds", "configuration");
        for (int i = 0; i < board.size(); i++) {
            Trial t = board.get(i);
            String status = t.failure() != null ? "failed: " + t.failure() : t.finished() ? "" : "(stopped at a rung)";
            out.printf("%4d %6d %10s %7d %6d %9.1f  %s %s%n", i + 1, t.id(), Double.isFinite(t.best()) ? String.format("%.4f", t.best()) : "-",
                    t.epochs(), t.bestEpoch(), t.seconds(), describe(t.config()), status);
        }
    }

    static String describe(Map<String, String> config) {
        StringBuilder sb = new StringBuilder();
        config.forEach((k, v) -> sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(v));
        return sb.toString();
    }

    private Map<String, Object> report(Dataset data, Tuner.Result r, TrainingObjective objective, String command, Experiment.Result fin,
                                       Rungs ladder, double budgetSeconds, String backend) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("dataset", Reports.dataset(data));
        json.put("scheduler", ladder.toString());
        json.put("rungs", ladder.rungs());
        json.put("time_budget_s", budgetSeconds);
        json.put("max_trials", trials);
        json.put("search_seed", searchSeed);
        json.put("spent_s", r.spentSeconds());
        json.put("backend", backend);
        List<Object> board = new ArrayList<>();
        for (Trial t : r.leaderboard()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("trial", t.id());
            m.put("config", t.config());
            m.put("valid_ndcg10", Double.isFinite(t.best()) ? t.best() : null);
            m.put("epochs", t.epochs());
            m.put("best_epoch", t.bestEpoch());
            m.put("finished", t.finished());
            m.put("seconds", t.seconds());
            m.put("failure", t.failure());
            board.add(m);
        }
        json.put("leaderboard", board);
        Map<String, Object> best = new LinkedHashMap<>();
        best.put("trial", r.best().id());
        best.put("options", objective.options(r.best()));
        best.put("valid_ndcg10", r.best().best());
        best.put("train_command", command);
        json.put("best", best);
        json.put("best_epoch", fin.training().bestEpoch());
        json.put("test", fin.test().asMap());
        json.put("popularity", fin.popularity().asMap());
        return json;
    }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d+)h)?(?:(\\d+)m)?(?:(\\d+)s?)?");

    /** "30m", "1h30m", "90s", "90" (seconds) to seconds. */
    static double parseDuration(String s) {
        Matcher m = DURATION.matcher(s.trim());
        if (s.isBlank() || !m.matches()) throw new IllegalArgumentException("--time-budget: not a duration like 30m, 1h30m or 90s: '" + s + "'");
        long h = m.group(1) == null ? 0 : Long.parseLong(m.group(1));
        long min = m.group(2) == null ? 0 : Long.parseLong(m.group(2));
        long sec = m.group(3) == null ? 0 : Long.parseLong(m.group(3));
        return h * 3600 + min * 60 + sec;
    }

    /** Progress lines: a job's start, each epoch, its end, with the time left. */
    private static final class Progress implements TuneListener {
        private final PrintStream err;

        Progress(PrintStream err) {
            this.err = err;
        }

        private static String left(double s) {
            return Double.isInfinite(s) ? "" : "  left " + ProgressPrinter.duration(Math.max(0, s));
        }

        @Override
        public void onJobStart(Trial t, int toEpoch, boolean promotion, double secondsLeft) {
            err.println("trial " + t.id() + (promotion ? " promoted: epochs " + t.epochs() + " -> " : " new: epochs 0 -> ") + toEpoch
                    + "  [" + describe(t.config()) + "]" + left(secondsLeft));
        }

        @Override
        public void onEpoch(Trial t, int epoch, double score, double secondsLeft) {
            err.printf("  trial %d epoch %d  valid NDCG@10 %.4f%s%n", t.id(), epoch, score, left(secondsLeft));
        }

        @Override
        public void onJobDone(Trial t, double secondsLeft) {
            err.println("trial " + t.id() + (t.failure() != null ? " failed: " + t.failure()
                    : String.format(" at %d epochs: best valid NDCG@10 %.4f (epoch %d)%s", t.epochs(), t.best(), t.bestEpoch(),
                    t.finished() ? ", finished" : "")) + left(secondsLeft));
        }

        @Override
        public void onMessage(String message) {
            err.println("lstmrec: " + message);
        }
    }
}
