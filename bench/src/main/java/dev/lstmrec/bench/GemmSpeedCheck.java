package dev.lstmrec.bench;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.tensor.Tensor;
import dev.lstmrec.kernels.simd.SimdBackendProvider;
import com.sun.management.OperatingSystemMXBean;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Random;

/**
 * A quick SGEMM speed check (not JMH; the bench module has those): GFLOP/s of the SIMD backend on the model's
 * shapes with 1 and N threads, best of a few timed repetitions after warm-up. Each shape is first checked against a
 * naive double-precision product on a few entries. Run:
 * {@code java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.lstmrec.bench.GemmSpeedCheck [threads...]}.
 */
public final class GemmSpeedCheck {
    private GemmSpeedCheck() {}

    private record Case(String name, int m, int n, int k, boolean transA, boolean transB) {}

    public static void main(String[] args) {
        int[] threadCounts = args.length == 0 ? new int[] {1, 2} : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Case[] cases = {
            new Case("square 2048^3 NN", 2048, 2048, 2048, false, false),
            new Case("recurrent step B128 H64 NN", 128, 256, 64, false, false),
            new Case("recurrent step B128 H64 NT", 128, 256, 64, false, true),
            new Case("input proj P25600 E64 G256 NT", 25600, 256, 64, false, true),
            new Case("logits P25600 V1682 H64 NT", 25600, 1682, 64, false, true),
            new Case("dW V1682 H64 P25600 TN", 1682, 64, 25600, true, false),
            new Case("dH P25600 H64 V1682 NN", 25600, 64, 1682, false, false),
        };
        for (int threads : threadCounts) {
            try (Backend be = new SimdBackendProvider().create(BackendOptions.withThreads(threads))) {
                System.out.println(be.description());
                for (Case c : cases) run(be, c);
            }
        }
    }

    private static void run(Backend be, Case c) {
        Random rnd = new Random(42);
        float[] ha = random(rnd, c.m * c.k), hb = random(rnd, c.k * c.n);
        Tensor a = c.transA ? be.allocate(c.k, c.m) : be.allocate(c.m, c.k);
        Tensor b = c.transB ? be.allocate(c.n, c.k) : be.allocate(c.k, c.n);
        Tensor out = be.allocate(c.m, c.n);
        be.upload(a, ha, 0);
        be.upload(b, hb, 0);
        be.gemm(out, c.transA, a, c.transB, b, 1f, 0f);
        float[] hc = new float[c.m * c.n];
        be.download(hc, 0, out);
        for (int s = 0; s < 5; s++) {
            int i = rnd.nextInt(c.m), j = rnd.nextInt(c.n);
            double ref = 0;
            for (int p = 0; p < c.k; p++) {
                ref += (double) (c.transA ? ha[p * c.m + i] : ha[i * c.k + p]) * (c.transB ? hb[j * c.k + p] : hb[p * c.n + j]);
            }
            if (Math.abs(ref - hc[i * c.n + j]) > 1e-4 * c.k) {
                throw new IllegalStateException(c.name + ": C[" + i + "," + j + "] = " + hc[i * c.n + j] + ", expected " + ref);
            }
        }
        double flops = 2.0 * c.m * c.n * c.k;
        // Trials of about 0.3 s or more: process CPU time on Linux ticks in 10 ms steps.
        int reps = (int) Math.max(3, Math.min(20000, 3e10 / flops));
        for (int w = 0; w < reps; w++) be.gemm(out, c.transA, a, c.transB, b, 1f, 0f);
        double best = Double.MAX_VALUE, bestCpu = Double.MAX_VALUE;
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int trial = 0; trial < 5; trial++) {
            long t0 = System.nanoTime(), c0 = os.getProcessCpuTime();
            for (int r = 0; r < reps; r++) be.gemm(out, c.transA, a, c.transB, b, 1f, 0f);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / reps);
            bestCpu = Math.min(bestCpu, (os.getProcessCpuTime() - c0) / 1e9 / reps);
        }
        // On a shared machine wall time includes time the threads were not running; process CPU time does not,
        // which makes GFLOP per CPU-second the steadier figure of kernel efficiency (spin-waits count against it).
        System.out.printf(Locale.ROOT, "  %-34s %6.1f GFLOP/s wall  %6.1f GFLOP per CPU-second  (%.3f ms)%n",
                c.name, flops / best / 1e9, flops / bestCpu / 1e9, best * 1e3);
    }

    private static float[] random(Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextFloat() * 2f - 1f;
        return x;
    }
}
