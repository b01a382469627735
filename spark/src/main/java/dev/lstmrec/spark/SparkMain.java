package dev.lstmrec.spark;

import dev.lstmrec.engine.api.Defaults;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.train.LossConfig;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The spark-submit entry point (docs/spark.md has the exact command lines):
 * <pre>
 *   train     --input PATH --model PATH [input and training options]       interactions (Parquet/CSV) → model file
 *   recommend --model PATH --output PATH [--users PATH] [--k 10]           model (+ users) → Parquet of top-K
 *             [--inference auto|broadcast|cross-join] [--max-broadcast-mb 512] [--item-block-rows R]
 *   evaluate  --model PATH                                                  test metrics of the users' last items
 * </pre>
 * Options are {@code --name value}; training options carry the CLI's names and defaults. Exit code 0 on success,
 * 1 on a failure, 2 on a usage error.
 */
public final class SparkMain {
    private static final Set<String> FLAGS = Set.of("--header", "--no-exclude-seen");
    /** Every option with a value that some command reads: anything else is a typo or a CLI-only option, refused. */
    private static final Set<String> OPTIONS = Set.of("--backend", "--batch", "--bpreg", "--checkpoint-dir", "--checkpoint-every-rounds",
            "--clip-norm", "--columns", "--dim", "--dropout", "--epochs", "--format", "--hidden", "--inference", "--input",
            "--item-block-rows", "--item-col", "--k", "--layers", "--local-steps", "--logq", "--loss", "--lr",
            "--max-broadcast-mb", "--max-len", "--model", "--negatives", "--optimizer", "--output", "--partitions", "--patience",
            "--row-averaging", "--sample-alpha", "--seed", "--sep", "--threads", "--time-col", "--user-col", "--users",
            "--weight-decay");

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

    static Map<String, String> parse(String[] args) {
        Map<String, String> o = new HashMap<>();
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) throw new UsageException("expected an option, got '" + a + "'");
            if (a.equals("--checkpoint-every")) {
                throw new UsageException("--checkpoint-every counts batches in lstmrec train; Spark saves its state every N rounds"
                        + " with --checkpoint-every-rounds N");
            }
            if (!FLAGS.contains(a) && !OPTIONS.contains(a)) {
                throw new UsageException("unknown option " + a + " (docs/spark.md lists the options of train, recommend and evaluate)");
            }
            if (FLAGS.contains(a)) o.put(a, "true");
            else if (i + 1 < args.length) o.put(a, args[++i]);
            else throw new UsageException(a + " needs a value");
        }
        return o;
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
                    .option("header", o.containsKey("--header")); // all strings: ids stay as written, times cast to numbers
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

    static TrainSettings settings(Map<String, String> o) {
        String opt = o.getOrDefault("--optimizer", "adam").toUpperCase(Locale.ROOT);
        String avg = o.getOrDefault("--row-averaging", "all-tasks").toUpperCase(Locale.ROOT).replace('-', '_');
        LossConfig d = LossConfig.defaults(); // the CLI's: auto, 2048 negatives, alpha 0.5, logQ 1, BPR-max regulariser 1
        try {
            return new TrainSettings(i(o, "--dim", Defaults.DIM), i(o, "--hidden", Defaults.HIDDEN), i(o, "--layers", Defaults.LAYERS),
                    i(o, "--max-len", Defaults.MAX_LEN), f(o, "--dropout", Defaults.DROPOUT), i(o, "--batch", Defaults.BATCH),
                    f(o, "--lr", Defaults.LR), i(o, "--epochs", Defaults.EPOCHS), i(o, "--patience", Defaults.PATIENCE),
                    f(o, "--weight-decay", Defaults.WEIGHT_DECAY), f(o, "--clip-norm", Defaults.CLIP_NORM),
                    Long.parseLong(o.getOrDefault("--seed", Long.toString(Defaults.SEED))), o.getOrDefault("--backend", Defaults.BACKEND),
                    i(o, "--threads", 0), i(o, "--partitions", 2), i(o, "--local-steps", 4), TrainSettings.Optimizer.valueOf(opt),
                    TrainSettings.RowAveraging.valueOf(avg), false, !o.containsKey("--no-exclude-seen"),
                    o.getOrDefault("--loss", d.loss().cliName()), i(o, "--negatives", d.negatives()), f(o, "--sample-alpha", d.sampleAlpha()),
                    f(o, "--logq", d.logq()), f(o, "--bpreg", d.bpreg()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
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
        System.out.printf(Locale.ROOT, "traffic: %d rounds, %.1f MB broadcast, %.1f MB shuffled, %.1f MB of averaged slices to the driver%n",
                out.meter().rounds(), out.meter().broadcastBytes() / 1e6, out.meter().shuffleBytes() / 1e6, out.meter().collectedBytes() / 1e6);
    }

    private static void recommend(SparkSession spark, Map<String, String> o) throws Exception {
        LstmRecModel m = LstmRecModel.load(spark, need(o, "--model"))
                .setBackend(o.getOrDefault("--backend", Defaults.BACKEND)).setThreads(i(o, "--threads", 0))
                .setExcludeSeen(!o.containsKey("--no-exclude-seen"));
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
                .setBackend(o.getOrDefault("--backend", Defaults.BACKEND)).setThreads(i(o, "--threads", 0))
                .setExcludeSeen(!o.containsKey("--no-exclude-seen"));
        Metrics test = m.evaluate();
        for (int k : List.of(5, 10, 20)) System.out.println(test.summary(k));
    }
}
