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
 * items excluded), means of {@code --reps} (300) after 100 warm-up queries.
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
    }
}
