package dev.lstmrec.engine.backend.conformance;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.SplittableRandom;

/**
 * Seeded random test data and the few host/backend transfers tests need. Values are bounded away from zero so
 * that a dropped, doubled or misplaced term always shows above the tolerances; see {@link Tolerances}.
 */
public final class RandomTensors {
    private final SplittableRandom random;

    public RandomTensors(long seed) {
        this.random = new SplittableRandom(seed);
    }

    public SplittableRandom random() {
        return random;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** n values of random sign and magnitude uniform in [scale/4, scale]. */
    public float[] nonZero(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float m = (float) (scale * (0.25 + 0.75 * random.nextDouble()));
            x[i] = random.nextBoolean() ? m : -m;
        }
        return x;
    }

    /** n values of random sign and magnitude uniform in [1/4, 1]. */
    public float[] nonZero(int n) {
        return nonZero(n, 1f);
    }

    /** n values uniform in [lo, hi). */
    public float[] uniform(int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) (lo + (hi - lo) * random.nextDouble());
        return x;
    }

    /**
     * n non-zero multiples of 1/8 in [-1, -1/4] ∪ [1/4, 1]. Products are multiples of 1/64 and any sum of fewer
     * than 2^15 of them is exact in float whatever the order or FMA use, so scores built from these are identical
     * on every backend and their ties are real ties.
     */
    public float[] dyadic(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float m = (2 + random.nextInt(7)) / 8f;
            x[i] = random.nextBoolean() ? m : -m;
        }
        return x;
    }

    /** n integers uniform in [0, bound). */
    public int[] ints(int n, int bound) {
        int[] x = new int[n];
        for (int i = 0; i < n; i++) x[i] = random.nextInt(bound);
        return x;
    }

    /** A new tensor on {@code backend} holding {@code data}. */
    public static Tensor tensor(Backend backend, float[] data, int... shape) {
        Tensor t = backend.allocate(shape);
        backend.upload(t, data, 0);
        return t;
    }

    /** A new int tensor on {@code backend} holding {@code data}. */
    public static IntTensor intTensor(Backend backend, int[] data, int... shape) {
        IntTensor t = backend.allocateInt(shape);
        backend.uploadInt(t, data, 0);
        return t;
    }

    /** A new tensor of {@link #nonZero(int)} values. */
    public Tensor nonZeroTensor(Backend backend, int... shape) {
        Tensor t = backend.allocate(shape);
        backend.upload(t, nonZero(t.size()), 0);
        return t;
    }

    public static float[] download(Backend backend, Tensor t) {
        float[] x = new float[t.size()];
        backend.download(x, 0, t);
        return x;
    }

    public static int[] downloadInt(Backend backend, IntTensor t) {
        int[] x = new int[t.size()];
        backend.downloadInt(x, 0, t);
        return x;
    }
}
