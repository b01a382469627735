package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.CheckedBackend;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Test harness: the same random, non-zero data placed in a ScalarBackend (the oracle) and a SimdBackend of a given
 * width and thread count, tensors at non-zero offsets (views), outputs poisoned with NaN, and a comparison with
 * {@code |x - ref| <= atol + rtol·|ref|}.
 */
final class Mirror implements AutoCloseable {
    /** A species width and a thread count to test. */
    record Config(int bits, int threads) {
        @Override
        public String toString() {
            return bits + "-bit, " + threads + (threads == 1 ? " thread" : " threads");
        }
    }

    record T(Tensor ref, Tensor simd) {}

    record I(IntTensor ref, IntTensor simd) {}

    final Backend ref = new ScalarBackend();
    final Backend simd;
    final Random rnd;
    final int lanes;

    Mirror(Config config, long seed) {
        // Behind the checked front, as Backends.create returns it (the kernels themselves do not check shapes).
        simd = CheckedBackend.wrap(new SimdBackendProvider().create(new BackendOptions(config.threads(),
                Map.of(SimdBackendProvider.BITS_OPTION, Integer.toString(config.bits())))));
        rnd = new Random(seed);
        lanes = config.bits() / 32;
    }

    /** Every width this CPU supports, with 1 and 2 threads. */
    static Stream<Config> configs() {
        List<Config> all = new ArrayList<>();
        int max = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        for (int bits : new int[] {128, 256, 512}) {
            if (bits > max) continue;
            for (int threads : new int[] {1, 2}) all.add(new Config(bits, threads));
        }
        return all.stream();
    }

    /** Sizes hitting the vector tails of width {@code lanes}, plus primes. */
    int[] tailSizes() {
        return new int[] {1, lanes - 1 > 0 ? lanes - 1 : 1, lanes, lanes + 1, 17, 31, 2 * lanes + 3};
    }

    float[] random(int n, float scale) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (rnd.nextFloat() * 2f - 1f) * scale;
            x[i] = v == 0f ? scale * 0.5f : v;
        }
        return x;
    }

    /** A tensor pair holding {@code data}, each a view starting a few elements into a larger allocation. */
    T tensor(float[] data, int... shape) {
        int pad = 1 + rnd.nextInt(5);
        return new T(view(ref, data, pad, shape), view(simd, data, pad, shape));
    }

    T random(float scale, int... shape) {
        return tensor(random(dev.lstmrec.engine.tensor.Shape.size(shape), scale), shape);
    }

    /** An output pair filled with NaN, so a kernel that reads before writing is caught. */
    T poisoned(int... shape) {
        float[] nan = new float[dev.lstmrec.engine.tensor.Shape.size(shape)];
        java.util.Arrays.fill(nan, Float.NaN);
        return tensor(nan, shape);
    }

    I ints(int[] data, int... shape) {
        return new I(intView(ref, data, shape), intView(simd, data, shape));
    }

    private static Tensor view(Backend b, float[] data, int pad, int[] shape) {
        Tensor whole = b.allocate(data.length + pad + 2);
        b.fill(whole, Float.NaN);
        Tensor v = whole.view(pad, shape);
        b.upload(v, data, 0);
        return v;
    }

    private static IntTensor intView(Backend b, int[] data, int[] shape) {
        IntTensor whole = b.allocateInt(data.length + 3);
        IntTensor v = whole.rows(2, data.length);
        if (shape.length != 1) v = new IntTensor(v.storage(), v.offset(), shape);
        b.uploadInt(v, data, 0);
        return v;
    }

    static float[] get(Backend b, Tensor t) {
        float[] x = new float[t.size()];
        b.download(x, 0, t);
        return x;
    }

    static int[] get(Backend b, IntTensor t) {
        int[] x = new int[t.size()];
        b.downloadInt(x, 0, t);
        return x;
    }

    /** Asserts every element within {@code atol + rtol·|ref|}; NaN anywhere fails. */
    void assertClose(String what, T t, double atol, double rtol) {
        float[] r = get(ref, t.ref()), s = get(simd, t.simd());
        for (int i = 0; i < r.length; i++) {
            double tol = atol + rtol * Math.abs(r[i]);
            if (r[i] != s[i] && !(Math.abs(r[i] - s[i]) <= tol)) {
                fail(what + " [" + i + "] of " + r.length + ": simd " + s[i] + " vs scalar " + r[i] + " (tol " + tol + ")");
            }
        }
    }

    void assertSame(String what, T t) {
        float[] r = get(ref, t.ref()), s = get(simd, t.simd());
        for (int i = 0; i < r.length; i++) {
            assertEquals(Float.floatToIntBits(r[i]), Float.floatToIntBits(s[i]), what + " [" + i + "]: " + s[i] + " vs " + r[i]);
        }
    }

    void assertSame(String what, I t) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(get(ref, t.ref()), get(simd, t.simd()), what);
    }

    @Override
    public void close() {
        simd.close();
        ref.close();
    }
}
