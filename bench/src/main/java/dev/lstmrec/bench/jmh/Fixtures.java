// Shared set-up for the JMH benchmarks: opening a backend by name (an unavailable one fails the trial with its
// probe's reason, never silently benchmarking another backend), deterministic random inputs, and the one-time
// comparison of a backend's output against the scalar reference before anything is timed.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.BackendUnavailableException;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.Map;
import java.util.SplittableRandom;

/** Helpers shared by the benchmark states. */
public final class Fixtures {
    /**
     * Relative tolerance of the one-time check. Float sums of up to ~10^5 terms in another order (blocked GEMM,
     * FMA, lane-wise reductions) differ from the scalar loop by far less than this; a wrong kernel misses it by
     * orders of magnitude.
     */
    public static final double RTOL = 1e-3;
    /** Absolute floor, for outputs that are sums of terms of both signs and land near zero. */
    public static final double ATOL = 1e-5;

    private Fixtures() {}

    /**
     * Opens {@code name} with {@code threads} worker threads. A backend that cannot run here (for example
     * {@code simd} without {@code --add-modules jdk.incubator.vector}, or before it exists) is reported on stderr and
     * fails this trial with the probe's reason; the other trials go on.
     */
    public static Backend open(String name, int threads) {
        try {
            return Backends.create(name, new BackendOptions(threads, Map.of()));
        } catch (BackendUnavailableException e) {
            System.err.println("SKIP backend=" + name + ": " + e.getMessage());
            throw new IllegalStateException("benchmark trial skipped: " + e.getMessage(), e);
        }
    }

    /** The scalar reference backend, used once per trial to check the backend under test. */
    public static Backend reference() {
        return Backends.create("scalar", BackendOptions.withThreads(1));
    }

    /** n uniform values in [-scale, scale), never all zero; the same for the same seed. */
    public static float[] random(long seed, int n, float scale) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        return x;
    }

    /** n ints uniform in [lo, hi). */
    public static int[] randomInts(long seed, int n, int lo, int hi) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = rnd.nextInt(lo, hi);
        return x;
    }

    /** A tensor of {@code backend} holding {@code data}. */
    public static Tensor tensor(Backend backend, float[] data, int... shape) {
        Tensor t = backend.allocate(shape);
        backend.upload(t, data, 0);
        return t;
    }

    /** An int tensor of {@code backend} holding {@code data}. */
    public static IntTensor ints(Backend backend, int[] data, int... shape) {
        IntTensor t = backend.allocateInt(shape);
        backend.uploadInt(t, data, 0);
        return t;
    }

    /** The contents of {@code t} on the host. */
    public static float[] download(Backend backend, Tensor t) {
        float[] x = new float[t.size()];
        backend.download(x, 0, t);
        return x;
    }

    /** The contents of {@code t} on the host. */
    public static int[] downloadInt(Backend backend, IntTensor t) {
        int[] x = new int[t.size()];
        backend.downloadInt(x, 0, t);
        return x;
    }

    /**
     * Fails unless {@code |got - ref| ≤ ATOL + RTOL·|ref|} everywhere (NaN fails).
     *
     * @param what names the kernel and shape in the error
     */
    public static void assertClose(String what, float[] got, float[] ref) {
        assertClose(what, got, ref, ATOL);
    }

    /** As {@link #assertClose(String, float[], float[])} with another absolute floor. */
    public static void assertClose(String what, float[] got, float[] ref, double atol) {
        if (got.length != ref.length) throw new IllegalStateException(what + ": " + got.length + " values vs " + ref.length);
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs((double) got[i] - ref[i]);
            if (!(err <= atol + RTOL * Math.abs(ref[i]))) {
                throw new IllegalStateException(what + ": result differs from the scalar reference at " + i + ": "
                        + got[i] + " vs " + ref[i] + " (|err| " + err + ")");
            }
        }
    }

    /** Fails unless the two int arrays are identical. */
    public static void assertSame(String what, int[] got, int[] ref) {
        for (int i = 0; i < Math.max(got.length, ref.length); i++) {
            if (i >= got.length || i >= ref.length || got[i] != ref[i]) {
                throw new IllegalStateException(what + ": differs from the scalar reference at " + i);
            }
        }
    }
}
