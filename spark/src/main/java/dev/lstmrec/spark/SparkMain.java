package dev.lstmrec.spark;

import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.api.RunOption;
import dev.lstmrec.engine.api.TrainingBuilder;
import dev.lstmrec.engine.eval.Metrics;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static java.util.Map.entry;

/**
 * The spark-submit entry point (docs/spark.md has the exact command lines):
 * <pre>
 *   train     --input PATH --model PATH [input and training options]       interactions (Parquet/CSV) → model file
 *   recommend --model PATH --output PATH [--users PATH] [--k 10]           model (+ users) → Parquet of top-K
 *             [--inference auto|broadcast|cross-join] [--max-broadcast-mb 512] [--item-block-rows R]
 *   evaluate  --model PATH                                                  test metrics of the users' last items
 * </pre>
 * Options are {@code --name value}, flags {@code --name} (a boolean training option also {@code --no-name}). The
 * training options are {@code lstmrec train}'s ({@link RunOption}: names, defaults, parsing and messages of
 * {@link LstmRec#trainer()}) as far as Spark training supports them ({@link TrainSettings#RUN_OPTIONS}); the others are
 * refused with the reason ({@link #NOT_SUPPORTED}). Exit code 0 on success, 1 on a failure, 2 on a usage error.
 */
public final class SparkMain {
    /** Spark's own options with a value: input, distribution, checkpoints, inference, outputs. */
    private static final Set<String> OPTIONS = Set.of("--checkpoint-dir", "--checkpoint-every-rounds", "--inference",
            "--input", "--item-block-rows", "--item-col", "--k", "--local-steps", "--max-broadcast-mb", "--model", "--optimizer",
            "--output", "--partitions", "--row-averaging", "--sep", "--time-col", "--user-col", "--users");

    /** {@code lstmrec train}'s input options that Spark's reader (Spark SQL) takes under the same name, with Spark's values. */
    static final Set<RunOption> READ_BY_SPARK =
            Collections.unmodifiableSet(EnumSet.of(RunOption.FORMAT, RunOption.COLUMNS, RunOption.HEADER));

    private static final String NOT_YET = "Spark training does not support it yet";

    /**
     * The {@code lstmrec train} options Spark neither trains with nor reads, each with the reason; any other option
     * outside {@link TrainSettings#RUN_OPTIONS} and {@link #READ_BY_SPARK} is refused as not supported yet, so a new
     * data, evaluation or output option needs no change here to be refused.
     */
    static final Map<RunOption, String> NOT_SUPPORTED = Map.ofEntries(
            entry(RunOption.DATA, "Spark reads the interactions from --input"),
            entry(RunOption.DELIMITER, "Spark splits CSV fields at --sep"),
            entry(RunOption.CHECKPOINT_EVERY, "it counts batches in lstmrec train; Spark saves its state every N rounds"
                    + " with --checkpoint-every-rounds N"),
            entry(RunOption.TEST_DATA, "Spark evaluates leave-one-out on --input only; the session protocol's test log"
                    + " is scored by lstmrec train on one machine"),
            entry(RunOption.HOLDOUT, "it chooses the session protocol's validation, and Spark evaluates leave-one-out only"),
            entry(RunOption.MIN_RATING, "filter the input with Spark SQL before training (" + NOT_YET + ")"),
            entry(RunOption.MIN_USER_COUNT, "filter the input with Spark SQL before training (" + NOT_YET + ")"),
            entry(RunOption.MIN_ITEM_COUNT, "filter the input with Spark SQL before training (" + NOT_YET + ")"),
            entry(RunOption.EVAL_NEGATIVES, "the sampled protocol would draw its candidates per partition; Spark ranks"
                    + " all items, as the default protocol does"));

    private SparkMain() {}

    public static void main(String[] args) {
        int code;
        try {
            code = run(args);
        } catch (UsageException e) {
            System.err.println("lstmrec-spark: " + e.getMessage());
            System.err.println("usage: lstmrec-spark train|recommend|evaluate --name value ... (see docs/spark.md)");
            code = 2;
        } catch (Exception e) {
            System.err.println("lstmrec-spark: " + e);
            e.printStackTrace();
            code = 1;
        }
        if (code != 0) System.exit(code);
    }

    static final class UsageException extends RuntimeException {
        UsageException(String m) {
            super(m);
        }
    }

    static int run(String[] args) throws Exception {
        if (args.length == 0) throw new UsageException("no command");
        Map<String, String> o = parse(args);
        SparkSession spark = SparkSession.builder().appName("lstmrec " + args[0]).getOrCreate();
        switch (args[0]) {
            case "train" -> train(spark, o);
            case "recommend" -> recommend(spark, o);
            case "evaluate" -> evaluate(spark, o);
            default -> throw new UsageException("unknown command '" + args[0] + "' (train, recommend, evaluate)");
        }
        return 0;
    }

    /**
     * The options by name ({@code --name} → value; a flag's value is "true", {@code --no-name}'s "false"), checked
     * against Spark's own and {@code lstmrec train}'s: unknown or unsupported ones are usage errors, values are checked
     * where they are used.
     */
    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new UsageException("expected an option, got '" + a + "'");
            if (OPTIONS.contains(a)) {
                if (i + 1 >= args.length) throw new UsageException(a + " needs a value");
                o.put(a, args[++i]);
                continue;
            }
            RunOption r = runOption(a.substring(2)).orElseThrow(() -> new UsageException("unknown option " + a
                    + " (docs/spark.md lists the options of train, recommend and evaluate)"));
            String name = "--" + r.key();
            if (NOT_SUPPORTED.containsKey(r)) throw new UsageException(name + " is not taken by lstmrec-spark: " + NOT_SUPPORTED.get(r));
            if (!TrainSettings.RUN_OPTIONS.contains(r) && !READ_BY_SPARK.contains(r)) {
                throw new UsageException(name + " is not taken by lstmrec-spark: " + NOT_YET);
            }
            if (r.type() == RunOption.Type.BOOLEAN) {
                o.put(name, Boolean.toString(a.equals(name)));
            } else if (i + 1 < args.length) {
                o.put(name, args[++i]);
            } else {
                throw new UsageException(name + " needs a value");
            }
        }
        return o;
    }

    /** The train option named {@code name}, or a boolean one negated as {@code no-name}. */
    private static Optional<RunOption> runOption(String name) {
        Optional<RunOption> r = RunOption.byKey(name);
        if (r.isPresent() || !name.startsWith("no-")) return r;
        return RunOption.byKey(name.substring(3)).filter(n -> n.type() == RunOption.Type.BOOLEAN);
    }

    /** The library names a setting by its {@link RunOption} key ("lr must be ..."); the command line says "--lr must be ...". */
    static String asOption(String message) {
        if (message == null) return null;
        for (RunOption o : RunOption.values()) {
            if (message.startsWith(o.key() + " ")) return "--" + message;
        }
        return message;
    }

    /** A train setting the recommend and evaluate commands read too: its canonical value, or its default. */
    private static String setting(Map<String, String> o, RunOption r) {
        try {
            String v = r.canonical(o.get("--" + r.key()));
            return v != null ? v : r.defaultValue();
        } catch (IllegalArgumentException e) {
            throw new UsageException(asOption(e.getMessage()));
        }
    }

    private static String need(Map<String, String> o, String name) {
        String v = o.get(name);
        if (v == null) throw new UsageException(name + " is required");
        return v;
    }

    private static int i(Map<String, String> o, String name, int dflt) {
        try {
            return o.containsKey(name) ? Integer.parseInt(o.get(name)) : dflt;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be an integer, got '" + o.get(name) + "'");
        }
    }

    private static float f(Map<String, String> o, String name, float dflt) {
        try {
            return o.containsKey(name) ? Float.parseFloat(o.get(name)) : dflt;
        } catch (NumberFormatException e) {
            throw new UsageException(name + " must be a number, got '" + o.get(name) + "'");
        }
    }

    /**
     * Reads Parquet, or CSV with {@code --sep} (default tab), {@code --header}, and {@code --columns a,b,c} naming
     * the columns of a header-less file (e.g. {@code user,item,rating,timestamp} for MovieLens u.data).
     */
    static Dataset<Row> readInput(SparkSession spark, Map<String, String> o, String pathOption) {
        String path = need(o, pathOption);
        String format = o.getOrDefault("--format", path.endsWith(".parquet") ? "parquet" : "csv").toLowerCase(Locale.ROOT);
        Dataset<Row> df;
        if (format.equals("parquet")) {
            df = spark.read().parquet(path);
        } else if (format.equals("csv")) {
            DataFrameReader r = spark.read().option("sep", unescape(o.getOrDefault("--sep", "\t")))
                    .option("header", Boolean.parseBoolean(o.get("--header"))); // all strings: ids stay as written, times cast to numbers
            df = r.csv(path);
        } else {
            throw new UsageException("--format must be parquet or csv, got '" + format + "'");
        }
        if (o.containsKey("--columns")) df = df.toDF(o.get("--columns").split(","));
        return df;
    }

    private static String unescape(String s) {
        return s.equals("\\t") || s.equals("tab") ? "\t" : s;
    }

    /** The training settings: {@code lstmrec train}'s through {@link LstmRec#trainer()}, then Spark's own. */
    static TrainSettings settings(Map<String, String> o) {
        String opt = o.getOrDefault("--optimizer", "adam").toUpperCase(Locale.ROOT);
        String avg = o.getOrDefault("--row-averaging", "all-tasks").toUpperCase(Locale.ROOT).replace('-', '_');
        TrainingBuilder b = LstmRec.trainer();
        try {
            for (RunOption r : TrainSettings.RUN_OPTIONS) {
                if (o.containsKey("--" + r.key())) b.set(r, o.get("--" + r.key()));
            }
            return TrainSettings.from(TrainSettings.resolve(b), i(o, "--partitions", 2), i(o, "--local-steps", 4),
                    TrainSettings.Optimizer.valueOf(opt), TrainSettings.RowAveraging.valueOf(avg));
        } catch (IllegalArgumentException e) {
            throw new UsageException(asOption(e.getMessage()));
        }
    }

    /** Rounds between two saves of the training state (it is also saved after every epoch); 0 = after epochs only. */
    static int checkpointEveryRounds(Map<String, String> o) {
        int n = i(o, "--checkpoint-every-rounds", 10);
        if (n < 0) throw new UsageException("--checkpoint-every-rounds must be >= 0, got " + n);
        return n;
    }

    private static void train(SparkSession spark, Map<String, String> o) throws Exception {
        String model = need(o, "--model");
        Dataset<Row> input = readInput(spark, o, "--input");
        SparkLstmRec est = new SparkLstmRec().setSettings(settings(o))
                .setUserCol(o.getOrDefault("--user-col", "user")).setItemCol(o.getOrDefault("--item-col", "item"))
                .setTimestampCol(o.getOrDefault("--time-col", "timestamp").equals("none") ? null : o.getOrDefault("--time-col", "timestamp"))
                .setCheckpointDir(o.get("--checkpoint-dir")).setCheckpointEveryRounds(checkpointEveryRounds(o))
                .setLog(System.err::println);
        LstmRecModel m = est.fit(input);
        m.save(model);
        DistributedTrainer.Outcome out = est.lastOutcome();
        System.out.printf(Locale.ROOT, "trained %d epochs (%d rounds) in %.1f s, best epoch %d; test HR@10 %s NDCG@10 %s; model written to %s%n",
                out.epochsRun(), out.rounds(), out.seconds(), out.bestEpoch(), m.info().get("test.HR@10"), m.info().get("test.NDCG@10"), model);
        RoundMeter meter = out.meter();
        System.out.printf(Locale.ROOT, "traffic: %d rounds, %.1f MB of round deltas (largest %.2f MB, mean %.2f MB; full state %.1f MB),"
                        + " %.1f MB of full states kept for rebuilds, %.1f MB shuffled, %.1f MB of averaged slices to the driver%n",
                meter.rounds(), meter.deltaBytes() / 1e6, meter.maxDeltaBytes() / 1e6, meter.deltaBytes() / 1e6 / Math.max(1, meter.rounds()),
                12e-6 * new dev.lstmrec.engine.model.ParameterLayout(out.config()).total(),
                (meter.broadcastBytes() - meter.deltaBytes()) / 1e6,
                meter.shuffleBytes() / 1e6, meter.collectedBytes() / 1e6);
    }

    private static void recommend(SparkSession spark, Map<String, String> o) throws Exception {
        LstmRecModel m = LstmRecModel.load(spark, need(o, "--model"))
                .setBackend(setting(o, RunOption.BACKEND)).setThreads(Integer.parseInt(setting(o, RunOption.THREADS)))
                .setExcludeSeen(Boolean.parseBoolean(setting(o, RunOption.EXCLUDE_SEEN)));
        String inference = o.getOrDefault("--inference", "auto");
        try {
            m.setInference(LstmRecModel.Inference.valueOf(inference.toUpperCase(Locale.ROOT).replace('-', '_')))
                    .setMaxBroadcastBytes((long) (f(o, "--max-broadcast-mb", LstmRecModel.DEFAULT_MAX_BROADCAST_BYTES >> 20) * (1 << 20)))
                    .setItemBlockRows(i(o, "--item-block-rows", 0));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage().startsWith("No enum") ? "--inference must be auto, broadcast or cross-join, got '" + inference + "'" : e.getMessage());
        }
        int k = i(o, "--k", 10);
        String output = need(o, "--output");
        long t0 = System.nanoTime();
        Dataset<Row> recs = o.containsKey("--users")
                ? m.recommendForUserSubset(readInput(spark, o, "--users"), o.getOrDefault("--user-col", "user"), k)
                : m.recommendForAllUsers(k);
        recs.write().mode(SaveMode.ErrorIfExists).parquet(output);
        double s = (System.nanoTime() - t0) / 1e9;
        long n = spark.read().parquet(output).count();
        System.out.printf(Locale.ROOT, "wrote top-%d for %d users to %s in %.1f s (%.0f users/s, %s)%n", k, n, output, s, n / s,
                m.usesCrossJoin() ? "cross-join of user states and item blocks" : "model broadcast");
    }

    private static void evaluate(SparkSession spark, Map<String, String> o) throws Exception {
        LstmRecModel m = LstmRecModel.load(spark, need(o, "--model"))
                .setBackend(setting(o, RunOption.BACKEND)).setThreads(Integer.parseInt(setting(o, RunOption.THREADS)))
                .setExcludeSeen(Boolean.parseBoolean(setting(o, RunOption.EXCLUDE_SEEN)));
        Metrics test = m.evaluate();
        for (int k : List.of(5, 10, 20)) System.out.println(test.summary(k));
    }
}
