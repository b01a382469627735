// Recommendation latency and throughput of an exported model in ONNX Runtime (Java, CPU) beside lstmrec's own
// Recommender on the same backend threads, the same random model and the same queries, in one run: single queries
// (median and p90 milliseconds) and batches of 256 (queries per second). Each N first checks that both return the
// same top-10 for the first queries.
package dev.lstmrec.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lstmrec.engine.api.Recommendation;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.onnx.OnnxExport;

import java.nio.LongBuffer;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.OnnxComparison
 * --items 1682,100000 --threads 2 --queries 300 --batches 10}. Models: d = h = 64, 1 layer, max-len 200, random
 * initial weights; histories of 20..200 items drawn uniformly, the seen items excluded, top 10. With {@code --model
 * FILE} a trained model instead, queried with its stored users' histories. ONNX Runtime runs the
 * export with {@code --top-k 10} (intra-op threads = --threads, sequential execution, all graph optimisations).
 */
public final class OnnxComparison {
    private OnnxComparison() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> m = new java.util.HashMap<>(Map.of("--items", "1682,100000", "--threads", "2", "--queries", "300",
                "--batches", "10", "--batch", "256", "--dim", "64", "--hidden", "64", "--layers", "1", "--min-len", "20",
                "--max-history", "200"));
        m.put("--model", "");
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + m.keySet() + " each with a value; got " + args[i]);
            }
            m.put(args[i], args[++i]);
        }
        int threads = Integer.parseInt(m.get("--threads")), queries = Integer.parseInt(m.get("--queries"));
        int batches = Integer.parseInt(m.get("--batches")), batch = Integer.parseInt(m.get("--batch"));
        int minLen = Integer.parseInt(m.get("--min-len")), maxHistory = Integer.parseInt(m.get("--max-history"));
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("| N | engine | single query median ms | p90 ms | batch " + batch + " queries/s | top-10 agreement |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        String modelFile = m.get("--model");
        for (String itemsArg : modelFile.isEmpty() ? m.get("--items").split(",") : new String[] {"0"}) {
            SavedModel model;
            List<int[]> histories = new ArrayList<>();
            if (modelFile.isEmpty()) {
                model = randomModel(Integer.parseInt(itemsArg.trim()), m);
                SplittableRandom rnd = new SplittableRandom(model.config().numItems());
                for (int q = 0; q < Math.max(queries, batch); q++) {
                    int[] h = new int[minLen + rnd.nextInt(maxHistory - minLen + 1)];
                    for (int i = 0; i < h.length; i++) h[i] = 1 + rnd.nextInt(model.config().numItems());
                    histories.add(h);
                }
            } else { // a trained model: its stored users' histories, in order, as often as needed
                model = SavedModel.load(java.nio.file.Path.of(modelFile));
                for (int q = 0; q < Math.max(queries, batch); q++) histories.add(model.histories()[q % model.histories().length]);
            }
            int n = model.config().numItems();
            byte[] onnx = OnnxExport.build(model, new OnnxExport.Options(OnnxExport.DEFAULT_OPSET, 10, false)).toByteArray();
            OrtSession.SessionOptions options = new OrtSession.SessionOptions();
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (Recommender rec = Recommender.owning(model, Backends.create("simd", BackendOptions.withThreads(threads)));
                 OrtSession session = env.createSession(onnx, options)) {
                int agree = 0, checked = Math.min(20, queries);
                for (int q = 0; q < checked; q++) {
                    long[] ours = rec.recommend(histories.get(q), 10, true, Set.of()).stream().mapToLong(Recommendation::item).toArray();
                    if (Arrays.equals(ours, onnxTopK(env, session, histories.subList(q, q + 1))[0])) agree++;
                }
                double[] ourMs = new double[queries], ortMs = new double[queries];
                for (int q = -Math.min(50, queries); q < queries; q++) { // the first 50 are warm-up
                    int[] h = histories.get(Math.floorMod(q, queries));
                    long t0 = System.nanoTime();
                    rec.recommend(h, 10, true, Set.of());
                    long t1 = System.nanoTime();
                    onnxTopK(env, session, List.of(h));
                    long t2 = System.nanoTime();
                    if (q >= 0) {
                        ourMs[q] = (t1 - t0) / 1e6;
                        ortMs[q] = (t2 - t1) / 1e6;
                    }
                }
                List<int[]> big = histories.subList(0, batch);
                int[] ks = new int[batch];
                Arrays.fill(ks, 10);
                List<Set<Integer>> exclude = new ArrayList<>();
                for (int[] h : big) {
                    Set<Integer> s = new HashSet<>();
                    for (int i : h) s.add(i);
                    exclude.add(s);
                }
                double[] ourBatch = new double[batches], ortBatch = new double[batches];
                for (int r = -1; r < batches; r++) { // one warm-up round
                    long t0 = System.nanoTime();
                    rec.recommendBatch(big, ks, exclude);
                    long t1 = System.nanoTime();
                    onnxTopK(env, session, big);
                    long t2 = System.nanoTime();
                    if (r >= 0) {
                        ourBatch[r] = batch / ((t1 - t0) / 1e9);
                        ortBatch[r] = batch / ((t2 - t1) / 1e9);
                    }
                }
                String agreement = agree + "/" + checked;
                row(n, "lstmrec " + rec.backendName() + " (" + threads + " threads)", ourMs, ourBatch, agreement);
                row(n, "ONNX Runtime " + env.getVersion() + " Java (" + threads + " intra-op threads)", ortMs, ortBatch, agreement);
            }
        }
    }

    private static SavedModel randomModel(int n, Map<String, String> m) {
        ModelConfig config = new ModelConfig(n, Integer.parseInt(m.get("--dim")), Integer.parseInt(m.get("--hidden")),
                Integer.parseInt(m.get("--layers")), 200, 0f, 0f);
        float[] w = Initializer.initialWeights(config, new ParameterLayout(config), 1);
        return new SavedModel(config, new AbstractList<>() {
            @Override
            public String get(int i) {
                return Integer.toString(i + 1);
            }

            @Override
            public int size() {
                return n;
            }
        }, List.of(), new int[0][], w, Map.of());
    }

    private static void row(int n, String engine, double[] ms, double[] qps, String agreement) {
        System.out.printf(Locale.ROOT, "| %,d | %s | %.3f | %.3f | %,.0f | %s |%n", n, engine, percentile(ms, 0.5),
                percentile(ms, 0.9), percentile(qps, 0.5), agreement);
    }

    private static double percentile(double[] xs, double p) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.floor(p * s.length))];
    }

    /** The exported model's top_items for these histories, each excluding its own items, as lstmrec's recommend does. */
    static long[][] onnxTopK(OrtEnvironment env, OrtSession session, List<int[]> histories) throws Exception {
        int b = histories.size(), t = 0;
        for (int[] h : histories) t = Math.max(t, h.length);
        long[] items = new long[b * t], lengths = new long[b];
        for (int r = 0; r < b; r++) {
            int[] h = histories.get(r);
            for (int i = 0; i < h.length; i++) items[r * t + i] = h[i];
            lengths[r] = h.length;
        }
        long[] shape = {b, t};
        try (OnnxTensor it = OnnxTensor.createTensor(env, LongBuffer.wrap(items), shape);
             OnnxTensor len = OnnxTensor.createTensor(env, LongBuffer.wrap(lengths), new long[] {b});
             OnnxTensor ex = OnnxTensor.createTensor(env, LongBuffer.wrap(items), shape);
             OrtSession.Result out = session.run(Map.of("items", it, "lengths", len, "exclude", ex))) {
            return (long[][]) out.get("top_items").orElseThrow().getValue();
        }
    }
}
