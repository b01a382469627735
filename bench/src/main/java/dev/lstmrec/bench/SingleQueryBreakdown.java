// Where one recommendation's time goes in lstmrec: the LSTM forward over the history (LstmNetwork.finalHidden) and
// the fused score + top-10 (Backend.scoreTopK), timed apart on one random model. Explains the single-query gap to
// ONNX Runtime that OnnxComparison measures.
package dev.lstmrec.bench;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.model.Initializer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.SingleQueryBreakdown
 * --items 1682,100000 --threads 1,2 --length 110}: d = h = 64, one layer, one history of {@code --length} items (its
 * items excluded), means of {@code --reps} (300) after 100 warm-up queries; then the cost per call of one time step's
 * ops for one row: the recurrent GEMM as the network calls it (W_hh transposed), the same product with B stored
 * untransposed, and the gate kernel.
 */
public final class SingleQueryBreakdown {
    private SingleQueryBreakdown() {}

    public static void main(String[] args) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("--items", "1682,100000", "--threads", "1,2", "--length", "110",
                "--reps", "300", "--backend", "simd"));
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + m.keySet() + " each with a value; got " + args[i]);
            }
            m.put(args[i], args[++i]);
        }
        int len = Integer.parseInt(m.get("--length")), reps = Integer.parseInt(m.get("--reps"));
        System.out.println("| N | threads | LSTM forward, " + len + " steps | score + top 10 |");
        System.out.println("| --- | --- | --- | --- |");
        for (String items : m.get("--items").split(",")) {
            for (String th : m.get("--threads").split(",")) {
                int n = Integer.parseInt(items.trim()), threads = Integer.parseInt(th.trim());
                ModelConfig config = new ModelConfig(n, 64, 64, 1, 200, 0f, 0f);
                ParameterLayout layout = new ParameterLayout(config);
                try (Backend b = Backends.create(m.get("--backend"), BackendOptions.withThreads(threads));
                     Parameters p = new Parameters(b, config, layout);
                     LstmNetwork net = new LstmNetwork(b, p, null)) {
                    b.upload(p.slab(), Initializer.initialWeights(config, layout, 1), 0);
                    SplittableRandom r = new SplittableRandom(1);
                    int[] h = new int[len], ex = new int[len];
                    for (int i = 0; i < len; i++) {
                        h[i] = 1 + r.nextInt(n);
                        ex[i] = h[i] - 1;
                    }
                    IntTensor off = b.allocateInt(2), exT = b.allocateInt(len), outIdx = b.allocateInt(1, 10);
                    Tensor outScore = b.allocate(1, 10);
                    b.uploadInt(off, new int[] {0, len}, 0);
                    b.uploadInt(exT, ex, 0);
                    float[] hidden = new float[64];
                    int[] top = new int[10];
                    double forward = 0, score = 0;
                    for (int rep = -100; rep < reps; rep++) {
                        long t0 = System.nanoTime();
                        Tensor hid = net.finalHidden(PackedBatch.pack(List.of(h), null));
                        b.download(hidden, 0, hid);
                        long t1 = System.nanoTime();
                        b.scoreTopK(outIdx, outScore, hid, p.outW(), p.outB(), off, exT);
                        b.downloadInt(top, 0, outIdx);
                        long t2 = System.nanoTime();
                        if (rep >= 0) {
                            forward += (t1 - t0) / 1e6;
                            score += (t2 - t1) / 1e6;
                        }
                    }
                    System.out.printf(Locale.ROOT, "| %,d | %d | %.2f ms | %.2f ms |%n", n, threads, forward / reps, score / reps);
                }
            }
        }
        System.out.println();
        System.out.println("| threads | recurrent GEMM [1 x 64]·[256 x 64]ᵀ | the same with B as [64 x 256] | LSTM cell [1 x 64] |");
        System.out.println("| --- | --- | --- | --- |");
        for (String th : m.get("--threads").split(",")) stepOps(m.get("--backend"), Integer.parseInt(th.trim()));
    }

    /** Microseconds per call of one time step's ops for one row (h = 64, G = 256), 20,000 calls after as many warm-up. */
    private static void stepOps(String backend, int threads) {
        try (Backend b = Backends.create(backend, BackendOptions.withThreads(threads))) {
            Tensor h = b.allocate(1, 64), w = b.allocate(256, 64), wt = b.allocate(64, 256), g = b.allocate(1, 256);
            Tensor bias = b.allocate(256), c = b.allocate(1, 64), out = b.allocate(1, 64);
            float[] x = new float[256 * 64];
            for (int i = 0; i < x.length; i++) x[i] = (i % 7) * 0.01f;
            b.upload(w, x, 0);
            b.upload(wt, x, 0);
            b.upload(h, new float[64], 0);
            b.upload(bias, new float[256], 0);
            int reps = 20_000;
            double[] us = new double[3];
            for (int op = 0; op < 3; op++) {
                for (int pass = 0; pass < 2; pass++) { // the first pass warms up
                    long t0 = System.nanoTime();
                    for (int r = 0; r < reps; r++) {
                        if (op == 0) b.gemm(g, false, h, true, w, 1f, 1f);
                        else if (op == 1) b.gemm(g, false, h, false, wt, 1f, 1f);
                        else b.lstmCellForward(out, c, g, bias, null);
                    }
                    us[op] = (System.nanoTime() - t0) / 1e3 / reps;
                }
            }
            System.out.printf(Locale.ROOT, "| %d | %.1f µs | %.1f µs | %.1f µs |%n", threads, us[0], us[1], us[2]);
        }
    }
}
