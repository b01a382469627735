// End-to-end throughput harness: trains the real model (Trainer.trainBatch: forward, backward, Adam) on synthetic
// sequences of exactly T items, so every batch has exactly B·T predicted tokens, and times full-catalogue top-10
// scoring (batches of 256 users, and single-user latency). Prints a readable summary and, last, one JSON line
// with the same figures; bench/compare/torch_lstmrec.py prints the same JSON for the PyTorch twin. With
// --loss sampled|bpr-max --negatives K it trains with the sampled loss (items drawn Zipf-like with --zipf S).
package dev.lstmrec.bench;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.NegativeSampler;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.Throughput
 * --backend simd --threads 2 --batch 128 --len 200 --dim 64 --hidden 64 --items 1682 --steps 5 --warmup 1}.
 * One LSTM layer, no dropout, Adam lr 1e-3: the configuration bench/compare/torch_lstmrec.py mirrors.
 * Large catalogues: {@code --items 1000000 --loss sampled --negatives 2048 --zipf 1 --score-batches 0 --latency-queries 0}.
 */
public final class Throughput {
    static final int SCORE_BATCH = 256;
    static final int TOP_K = 10;

    /** Parsed command line. */
    record Options(String backend, int threads, int batch, int len, int dim, int hidden, int items, int steps, int warmup,
                   int scoreBatches, int latencyQueries, long seed, LossConfig.Loss loss, int negatives, double zipf,
                   float sampleAlpha, float logq) {
        static Options parse(String[] args) {
            Map<String, String> m = new java.util.HashMap<>(Map.of("--backend", "auto", "--threads", "0", "--batch", "128",
                    "--len", "50", "--dim", "64", "--hidden", "64", "--items", "1682", "--steps", "5", "--warmup", "1"));
            m.putAll(Map.of("--score-batches", "3", "--latency-queries", "200", "--seed", "1", "--loss", "full",
                    "--negatives", "2048", "--zipf", "0", "--sample-alpha", "0.5", "--logq", "1.0"));
            for (int i = 0; i < args.length; i++) {
                if (!m.containsKey(args[i])) throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + m.keySet());
                if (i + 1 >= args.length) throw new IllegalArgumentException("option " + args[i] + " needs a value");
                m.put(args[i], args[++i]);
            }
            return new Options(m.get("--backend"), num(m, "--threads"), num(m, "--batch"), num(m, "--len"), num(m, "--dim"),
                    num(m, "--hidden"), num(m, "--items"), num(m, "--steps"), num(m, "--warmup"), num(m, "--score-batches"),
                    num(m, "--latency-queries"), Long.parseLong(m.get("--seed")), LossConfig.Loss.parse(m.get("--loss")),
                    num(m, "--negatives"), Double.parseDouble(m.get("--zipf")), Float.parseFloat(m.get("--sample-alpha")),
                    Float.parseFloat(m.get("--logq")));
        }

        private static int num(Map<String, String> m, String key) {
            try {
                return Integer.parseInt(m.get(key));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(key + " must be an integer, got '" + m.get(key) + "'");
            }
        }
    }

    private Throughput() {}

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
            if (o.steps() < 1 || o.len() < 1 || o.batch() < 1) throw new IllegalArgumentException("--steps, --len and --batch must be >= 1");
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (Backend backend = Backends.create(o.backend(), new BackendOptions(o.threads(), Map.of()))) {
            System.out.println(run(backend, o));
        }
    }

    /** Runs the measurement and returns the summary; its last line is the JSON record. */
    static String run(Backend backend, Options o) {
        ModelConfig model = new ModelConfig(o.items(), o.dim(), o.hidden(), 1, o.len(), 0f, 0f);
        LossConfig lossConfig = new LossConfig(o.loss(), o.negatives(), o.sampleAlpha(), o.logq(), 1f);
        Trainer trainer = new Trainer(backend, model, new TrainConfig(o.batch(), 1e-3f, 1, 0, o.seed(), 0f, 0f), lossConfig);
        SplittableRandom rnd = new SplittableRandom(o.seed());
        long[] popularity = new long[o.items()];
        for (int j = 0; j < popularity.length; j++) popularity[j] = Math.max(1, Math.round(1e12 / Math.pow(j + 1, o.zipf())));
        NegativeSampler items = new NegativeSampler(popularity, 1f);
        trainer.setSamplingCounts(popularity);
        List<PackedBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batches.add(o.zipf() == 0 ? trainingBatch(rnd, o.batch(), o.len(), o.items()) : trainingBatch(rnd, items, o.batch(), o.len()));
        }
        int tokensPerBatch = batches.get(0).predictedTokens();

        double firstLoss = 0, lastLoss = 0;
        for (int s = 0; s < o.warmup(); s++) trainer.trainBatch(batches.get(s % batches.size()));
        long t0 = System.nanoTime(), cpu0 = processCpuNanos();
        for (int s = 0; s < o.steps(); s++) {
            double loss = trainer.trainBatch(batches.get(s % batches.size())) / tokensPerBatch;
            if (s == 0) firstLoss = loss;
            lastLoss = loss;
        }
        double trainSeconds = (System.nanoTime() - t0) / 1e9;
        // On a shared machine wall time depends on the neighbours; CPU time spent by this process does much less.
        double trainCpuSeconds = (processCpuNanos() - cpu0) / 1e9;
        double tokensPerSecond = (double) o.steps() * tokensPerBatch / trainSeconds;

        LstmNetwork net = new LstmNetwork(backend, trainer.weights(), null);
        double usersPerSecond = Double.NaN;
        if (o.scoreBatches() > 0) {
            Scoring batchScoring = new Scoring(backend, net, trainer.weights(), rnd, SCORE_BATCH, o.len(), o.items());
            batchScoring.query();
            long s0 = System.nanoTime();
            for (int i = 0; i < o.scoreBatches(); i++) batchScoring.query();
            usersPerSecond = (double) o.scoreBatches() * SCORE_BATCH / ((System.nanoTime() - s0) / 1e9);
        }

        Scoring single = new Scoring(backend, net, trainer.weights(), rnd, 1, o.len(), o.items());
        for (int i = 0; i < Math.min(20, o.latencyQueries()); i++) single.query();
        double[] ms = new double[o.latencyQueries()];
        for (int i = 0; i < ms.length; i++) {
            long q0 = System.nanoTime();
            single.query();
            ms[i] = (System.nanoTime() - q0) / 1e6;
        }
        Arrays.sort(ms);
        double p50 = ms.length == 0 ? Double.NaN : ms[(int) Math.floor(0.50 * (ms.length - 1))];
        double p99 = ms.length == 0 ? Double.NaN : ms[(int) Math.ceil(0.99 * (ms.length - 1))];

        String summary = String.format(Locale.ROOT,
                "lstmrec %s (%s)%n  model N=%d d=%d h=%d, batch B=%d x T=%d = %d predicted tokens, loss %s%n"
                        + "  training: %d steps in %.2f s -> %.0f tokens/s (mean loss %.4f -> %.4f); %.1f CPU s -> %.0f tokens per CPU-second%n"
                        + "  scoring top-%d: %.0f users/s in batches of %d; single user p50 %.3f ms, p99 %.3f ms%n",
                backend.name(), backend.description(), o.items(), o.dim(), o.hidden(), o.batch(), o.len(), tokensPerBatch,
                trainer.loss() == LossConfig.Loss.FULL ? "full softmax" : trainer.loss().cliName() + " K=" + o.negatives() + " zipf " + o.zipf(),
                o.steps(), trainSeconds, tokensPerSecond, firstLoss, lastLoss, trainCpuSeconds,
                o.steps() * tokensPerBatch / trainCpuSeconds, TOP_K, usersPerSecond, SCORE_BATCH, p50, p99);
        String json = String.format(Locale.ROOT,
                "{\"impl\":\"lstmrec\",\"backend\":\"%s\",\"description\":\"%s\",\"threads\":%d,\"items\":%d,\"dim\":%d,\"hidden\":%d,\"batch\":%d,\"len\":%d,"
                        + "\"steps\":%d,\"tokens_per_s\":%.1f,\"step_ms\":%.2f,\"first_loss\":%.5f,\"last_loss\":%.5f,"
                        + "\"score_users_per_s\":%.1f,\"latency_p50_ms\":%.4f,\"latency_p99_ms\":%.4f,\"loss\":\"%s\",\"negatives\":%d,\"train_cpu_s\":%.2f}",
                backend.name(), backend.description().replace("\\", "\\\\").replace("\"", "\\\""), o.threads(), o.items(), o.dim(), o.hidden(), o.batch(), o.len(), o.steps(), tokensPerSecond,
                1e3 * trainSeconds / o.steps(), firstLoss, lastLoss, usersPerSecond, p50, p99, trainer.loss().cliName(), o.negatives(), trainCpuSeconds);
        return summary + json;
    }

    /** CPU time of this JVM (all threads), or 0 where the platform does not report it. */
    private static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0L;
    }

    /** B random sequences of T+1 items in 1..N: inputs are the first T, targets the next item (as index item-1). */
    public static PackedBatch trainingBatch(SplittableRandom rnd, int b, int len, int items) {
        List<int[]> in = new ArrayList<>(b), tg = new ArrayList<>(b);
        for (int s = 0; s < b; s++) add(in, tg, rnd.ints(len + 1, 1, items + 1).toArray(), len);
        return PackedBatch.pack(in, tg);
    }

    /** As {@link #trainingBatch(SplittableRandom, int, int, int)} with items drawn from {@code items}' distribution. */
    static PackedBatch trainingBatch(SplittableRandom rnd, NegativeSampler items, int b, int len) {
        List<int[]> in = new ArrayList<>(b), tg = new ArrayList<>(b);
        int[] draw = new int[len + 1];
        for (int s = 0; s < b; s++) {
            items.draw(draw, len + 1, rnd.nextLong(), 0, s);
            int[] seq = new int[len + 1];
            for (int i = 0; i <= len; i++) seq[i] = draw[i] + 1;
            add(in, tg, seq, len);
        }
        return PackedBatch.pack(in, tg);
    }

    private static void add(List<int[]> in, List<int[]> tg, int[] seq, int len) {
        in.add(Arrays.copyOf(seq, len));
        int[] t = new int[len];
        for (int i = 0; i < len; i++) t[i] = seq[i + 1] - 1;
        tg.add(t);
    }

    /** A fixed scoring query: n users' histories of T items, their final hidden states, top-K excluding the history. */
    private static final class Scoring {
        private final Backend backend;
        private final LstmNetwork net;
        private final Parameters weights;
        private final PackedBatch histories;
        private final IntTensor offsets, exclude, outIndex;
        private final Tensor outScore;
        private final int[] hostIndex;

        Scoring(Backend backend, LstmNetwork net, Parameters weights, SplittableRandom rnd, int n, int len, int items) {
            this.backend = backend;
            this.net = net;
            this.weights = weights;
            List<int[]> in = new ArrayList<>(n);
            int[] off = new int[n + 1];
            int[] ex = new int[n * len];
            for (int u = 0; u < n; u++) {
                int[] h = rnd.ints(len, 1, items + 1).toArray();
                in.add(h);
                for (int i = 0; i < len; i++) ex[u * len + i] = h[i] - 1;
                off[u + 1] = (u + 1) * len;
            }
            histories = PackedBatch.pack(in, null);
            offsets = backend.allocateInt(n + 1);
            backend.uploadInt(offsets, off, 0);
            exclude = backend.allocateInt(ex.length);
            backend.uploadInt(exclude, ex, 0);
            outIndex = backend.allocateInt(n, TOP_K);
            outScore = backend.allocate(n, TOP_K);
            hostIndex = new int[n * TOP_K];
        }

        /** One query end to end: LSTM over the histories, scores over all items, top-K indices back on the host. */
        int[] query() {
            Tensor h = net.finalHidden(histories);
            backend.scoreTopK(outIndex, outScore, h, weights.outW(), weights.outB(), offsets, exclude);
            backend.downloadInt(hostIndex, 0, outIndex);
            return hostIndex;
        }
    }
}
