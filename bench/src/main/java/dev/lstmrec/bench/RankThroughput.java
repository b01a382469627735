// Full-ranking evaluation throughput at a large catalogue: users per second of the backend's fused score + rank
// (and score + top-10) over N items, beside the GEMM ceiling measured on the same shape in the same run (the scores
// of the same users against the same W_out, in item blocks whose output stays in cache, with nothing reduced).
package dev.lstmrec.bench;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.RankThroughput
 * --backend simd --threads 2 --items 1000000 --hidden 64 --users 256 --seen 50 --reps 3}. Prints users/s for
 * scoreRank (EXCLUDE, {@code --seen} excluded items per user), scoreTopK (K = 10) and the GEMM alone, and the ratio.
 */
public final class RankThroughput {
    private RankThroughput() {}

    public static void main(String[] args) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("--backend", "auto", "--threads", "0", "--items", "1000000",
                "--hidden", "64", "--users", "256", "--seen", "50", "--reps", "3", "--gemm-block", "4096"));
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: " + m.keySet() + " each with a value; got " + args[i]);
            }
            m.put(args[i], args[++i]);
        }
        int threads = Integer.parseInt(m.get("--threads")), v = Integer.parseInt(m.get("--items"));
        int hid = Integer.parseInt(m.get("--hidden")), n = Integer.parseInt(m.get("--users"));
        int seen = Integer.parseInt(m.get("--seen")), reps = Integer.parseInt(m.get("--reps"));
        int gemmBlock = Integer.parseInt(m.get("--gemm-block"));
        try (Backend b = Backends.create(m.get("--backend"), new BackendOptions(threads, Map.of()))) {
            SplittableRandom rnd = new SplittableRandom(1);
            Tensor w = b.allocate(v, hid), bias = b.allocate(v), h = b.allocate(n, hid);
            b.upload(w, random(rnd, v * hid, 0.1f), 0);
            b.upload(bias, random(rnd, v, 0.01f), 0);
            b.upload(h, random(rnd, n * hid, 1f), 0);
            int[] offsets = new int[n + 1], list = new int[n * seen], targets = new int[n];
            for (int r = 0; r < n; r++) {
                offsets[r + 1] = offsets[r] + seen;
                for (int e = 0; e < seen; e++) list[r * seen + e] = rnd.nextInt(v);
                targets[r] = rnd.nextInt(v);
            }
            IntTensor off = b.allocateInt(n + 1), li = b.allocateInt(list.length), tg = b.allocateInt(n), rank = b.allocateInt(n);
            b.uploadInt(off, offsets, 0);
            b.uploadInt(li, list, 0);
            b.uploadInt(tg, targets, 0);
            IntTensor idx = b.allocateInt(n, 10);
            Tensor sc = b.allocate(n, 10);
            Tensor c = b.allocate(n, gemmBlock);
            System.out.printf(Locale.ROOT, "backend %s (%s); N = %,d, H = %d, %d users per call, %d excluded each%n",
                    b.name(), b.description(), v, hid, n, seen);
            // Wall time and process CPU time: on a shared machine the CPU seconds per call are the steadier figure.
            double[] wall = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE}, cpu = wall.clone();
            Runnable[] runs = {
                () -> b.scoreRank(rank, h, w, bias, tg, off, li, RankMode.EXCLUDE),
                () -> b.scoreTopK(idx, sc, h, w, bias, off, li),
                () -> {
                    for (int j = 0; j < v; j += gemmBlock) {
                        int nb = Math.min(gemmBlock, v - j);
                        Tensor cb = nb == gemmBlock ? c : b.allocate(n, nb);
                        b.gemm(cb, false, h, true, w.rows(j, nb), 1f, 0f);
                    }
                }};
            for (int rep = 0; rep <= reps; rep++) { // rep 0 warms up
                for (int x = 0; x < runs.length; x++) {
                    long c0 = cpuNanos(), t0 = System.nanoTime();
                    runs[x].run();
                    b.synchronize();
                    long t1 = System.nanoTime(), c1 = cpuNanos();
                    if (rep == 0) continue;
                    wall[x] = Math.min(wall[x], (t1 - t0) / 1e9);
                    cpu[x] = Math.min(cpu[x], (c1 - c0) / 1e9);
                }
            }
            double flops = 2.0 * n * v * hid;
            String[] names = {"scoreRank", "scoreTopK", "GEMM only"};
            for (int x = 0; x < runs.length; x++) {
                System.out.printf(Locale.ROOT, "%-10s %8.1f users/s  %6.1f GFLOP/s  (%.3f s per call, best of %d)   %8.1f users per CPU-s  %5.1f GFLOP per CPU-s%s%n",
                        names[x], n / wall[x], flops / wall[x] / 1e9, wall[x], reps, n / cpu[x], flops / cpu[x] / 1e9,
                        x == 2 ? "  (same shape, " + gemmBlock + "-item blocks, nothing reduced)" : "");
            }
            System.out.printf(Locale.ROOT, "of the GEMM ceiling: scoreRank %.0f%% (wall) %.0f%% (CPU), scoreTopK %.0f%% (wall) %.0f%% (CPU)%n",
                    100 * wall[2] / wall[0], 100 * cpu[2] / cpu[0], 100 * wall[2] / wall[1], 100 * cpu[2] / cpu[1]);
            // One user at a time (a recommend / serve request): latency of score + top-10 over the whole catalogue.
            IntTensor idx1 = b.allocateInt(1, 10), off1 = b.allocateInt(2);
            Tensor sc1 = b.allocate(1, 10);
            b.uploadInt(off1, new int[] {0, seen}, 0);
            double best = Double.MAX_VALUE;
            for (int q = 0; q < 2 + reps * 3; q++) {
                long t0 = System.nanoTime();
                b.scoreTopK(idx1, sc1, h.rows(q % n, 1), w, bias, off1, li.rows(0, seen));
                b.synchronize();
                if (q >= 2) best = Math.min(best, (System.nanoTime() - t0) / 1e6);
            }
            System.out.printf(Locale.ROOT, "one user's top-10: %.1f ms (best of %d)%n", best, reps * 3);
        }
    }

    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static float[] random(SplittableRandom rnd, int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (rnd.nextDouble() * 2 - 1) * scale;
        return x;
    }
}
