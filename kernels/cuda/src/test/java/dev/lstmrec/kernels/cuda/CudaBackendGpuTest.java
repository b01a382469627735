package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.conformance.Tolerances;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.CheckedBackend;
import dev.lstmrec.engine.backend.Probe;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import jcuda.driver.JCudaDriver;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * GPU only: runs every CUDA op on random non-zero inputs with odd sizes and compares it with ScalarBackend (the
 * oracle); outputs that are overwritten are poisoned with NaN first. Skipped, with the probe's reason, where no CUDA
 * device is usable. The shared conformance suite (engine test-jar) is meant to replace most of this once it exists.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaBackendGpuTest {
    private static final double ATOL = Tolerances.CUDA_GPU_ATOL, RTOL = Tolerances.CUDA_GPU_RTOL;

    private final ScalarBackend ref = new ScalarBackend();
    private final Random rnd = new Random(42);
    private final Probe probe = new CudaBackendProvider().probe();
    private Backend gpu;

    @BeforeAll
    void open() {
        if (probe.usable()) gpu = CheckedBackend.wrap(new CudaBackendProvider().create(BackendOptions.defaults()));
    }

    /** Per test rather than in @BeforeAll, so that every skipped test is reported with the reason. */
    @BeforeEach
    void requireGpu() {
        assumeTrue(gpu != null, "no usable CUDA device, GPU test skipped: " + probe.reason());
    }

    @AfterAll
    void close() {
        if (gpu != null) gpu.close();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2 - 1) + (i % 2 == 0 ? 0.01f : -0.01f);
        return a;
    }

    /** The same data in a tensor of each backend; {@code lead} extra elements in front make the view unaligned. */
    private Tensor[] pairAt(float[] data, int lead, int... shape) {
        Tensor[] t = new Tensor[2];
        Backend[] bs = {ref, gpu};
        for (int b = 0; b < 2; b++) {
            Tensor whole = bs[b].allocate(data.length + lead);
            float[] padded = new float[data.length + lead];
            Arrays.fill(padded, 0, lead, 7f);
            System.arraycopy(data, 0, padded, lead, data.length);
            bs[b].upload(whole, padded, 0);
            t[b] = whole.view(lead, shape);
        }
        return t;
    }

    private Tensor[] pair(float[] data, int... shape) {
        return pairAt(data, 0, shape);
    }

    private Tensor[] poisoned(int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        float[] nan = new float[n];
        Arrays.fill(nan, Float.NaN);
        return pair(nan, shape);
    }

    private IntTensor[] pairInt(int[] data, int... shape) {
        IntTensor[] t = {ref.allocateInt(shape), gpu.allocateInt(shape)};
        ref.uploadInt(t[0], data, 0);
        gpu.uploadInt(t[1], data, 0);
        return t;
    }

    private static float[] get(Backend b, Tensor t) {
        float[] out = new float[t.size()];
        b.download(out, 0, t);
        return out;
    }

    private static int[] getInt(Backend b, IntTensor t) {
        int[] out = new int[t.size()];
        b.downloadInt(out, 0, t);
        return out;
    }

    private void assertSame(String what, Tensor[] t) {
        assertClose(what, get(ref, t[0]), get(gpu, t[1]));
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            boolean ok = Float.isInfinite(e) ? e == a : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
            if (!ok) fail(what + ": element " + i + " expected " + e + " but was " + a);
        }
    }

    // ---- dense ------------------------------------------------------------------------------------------------

    @Test
    void gemmMatchesScalarForEveryTransposeAndTail() {
        // The small shapes run on 64-tiles (their 128-tile grid would leave SMs idle); the last one has a 12 x 12
        // grid of 128-tiles, enough for the big-tile kernels on any current GPU up to 144 SMs.
        int[][] sizes = {{1, 1, 1}, {3, 7, 5}, {17, 33, 15}, {130, 129, 257}, {128, 256, 16}, {31, 127, 1021}, {1536, 1409, 33}};
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    boolean transA = ta == 1, transB = tb == 1;
                    for (float beta : new float[] {0f, 0.5f}) {
                        Tensor[] a = pairAt(random(m * k), 1, transA ? new int[] {k, m} : new int[] {m, k});
                        Tensor[] b = pair(random(k * n), transB ? new int[] {n, k} : new int[] {k, n});
                        Tensor[] c = beta == 0f ? poisoned(m, n) : pairAt(random(m * n), 3, m, n);
                        ref.gemm(c[0], transA, a[0], transB, b[0], 1.5f, beta);
                        gpu.gemm(c[1], transA, a[1], transB, b[1], 1.5f, beta);
                        assertSame("gemm " + Arrays.toString(s) + " tA=" + transA + " tB=" + transB + " beta=" + beta, c);
                    }
                }
            }
        }
    }

    @Test
    void biasOpsMatchScalar() {
        for (int[] s : new int[][] {{1, 1}, {7, 33}, {257, 17}}) {
            Tensor[] out = pair(random(s[0] * s[1]), s[0], s[1]);
            Tensor[] bias = pair(random(s[1]), s[1]);
            ref.addBias(out[0], bias[0]);
            gpu.addBias(out[1], bias[1]);
            assertSame("addBias", out);
            ref.biasBackward(bias[0], out[0]);
            gpu.biasBackward(bias[1], out[1]);
            assertSame("biasBackward", bias);
        }
    }

    // ---- embedding, LSTM, dropout ---------------------------------------------------------------------------------

    @Test
    void embeddingMatchesScalarWithRepeatedIds() {
        int rows = 11, e = 17;
        int[] ids = {3, 0, 10, 3, 3, 7, 0};
        Tensor[] table = pair(random(rows * e), rows, e);
        IntTensor[] id = pairInt(ids, ids.length);
        Tensor[] out = poisoned(ids.length, e);
        ref.embeddingForward(out[0], table[0], id[0]);
        gpu.embeddingForward(out[1], table[1], id[1]);
        assertSame("embeddingForward", out);
        Tensor[] grad = pair(random(ids.length * e), ids.length, e);
        ref.embeddingBackward(table[0], grad[0], id[0]);
        gpu.embeddingBackward(table[1], grad[1], id[1]);
        assertSame("embeddingBackward", table);
    }

    @Test
    void badEmbeddingIdIsReportedAtTheNextSynchronize() {
        Tensor table = gpu.allocate(4, 3);
        IntTensor ids = gpu.allocateInt(2);
        gpu.uploadInt(ids, new int[] {1, 4}, 0);
        gpu.embeddingForward(gpu.allocate(2, 3), table, ids);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, gpu::synchronize);
        assertTrue(e.getMessage().contains("embedding id"), e.getMessage());
        gpu.synchronize(); // the flag was cleared
    }

    @Test
    void lstmCellMatchesScalarWithAndWithoutState() {
        for (boolean first : new boolean[] {true, false}) {
            int n = 5, h = 33;
            Tensor[] gates = pair(random(n * 4 * h), n, 4 * h);
            Tensor[] bias = pair(random(4 * h), 4 * h);
            Tensor[] cPrev = first ? new Tensor[2] : pair(random(n * h), n, h);
            Tensor[] hOut = poisoned(n, h), cOut = poisoned(n, h);
            ref.lstmCellForward(hOut[0], cOut[0], gates[0], bias[0], cPrev[0]);
            gpu.lstmCellForward(hOut[1], cOut[1], gates[1], bias[1], cPrev[1]);
            assertSame("lstm h", hOut);
            assertSame("lstm c", cOut);
            assertSame("lstm gates", gates);

            Tensor[] dh = pair(random(n * h), n, h);
            Tensor[] dc = first ? new Tensor[2] : pair(random(n * h), n, h);
            Tensor[] dGates = poisoned(n, 4 * h);
            Tensor[] dcPrev = first ? poisoned(n, h) : dc; // exercises the dcPrev == dc alias
            ref.lstmCellBackward(dGates[0], dcPrev[0], dh[0], dc[0], gates[0], cOut[0], cPrev[0]);
            gpu.lstmCellBackward(dGates[1], dcPrev[1], dh[1], dc[1], gates[1], cOut[1], cPrev[1]);
            assertSame("lstm dGates", dGates);
            assertSame("lstm dcPrev", dcPrev);
        }
    }

    @Test
    void dropoutMaskIsBitIdenticalToScalar() {
        float[] data = random(1021);
        Tensor[] x = pairAt(data, 5, data.length);
        ref.dropout(x[0], 0.3f, 0xDEADBEEFCAFEL);
        gpu.dropout(x[1], 0.3f, 0xDEADBEEFCAFEL);
        assertArrayEquals(get(ref, x[0]), get(gpu, x[1]));
    }

    // ---- loss and optimizer -----------------------------------------------------------------------------------------

    @Test
    void softmaxCrossEntropyMatchesScalarWithMaskAndAlias() {
        int rows = 4, v = 1021;
        Tensor[] logits = pair(random(rows * v), rows, v);
        IntTensor[] targets = pairInt(new int[] {5, -1, 1020, 0}, rows);
        Tensor[] loss = pair(new float[] {0.25f}, 1);
        ref.softmaxCrossEntropy(logits[0], loss[0], logits[0], targets[0], 0.5f);
        gpu.softmaxCrossEntropy(logits[1], loss[1], logits[1], targets[1], 0.5f);
        assertSame("dLogits (aliased)", logits);
        assertSame("loss", loss);
    }

    @Test
    void adamSumSquaresFillCopyMatchScalar() {
        int n = 1027;
        Tensor[] p = pair(random(n), n), g = pair(random(n), n), m = pair(random(n), n), v = pair(random(n), n);
        for (int b = 0; b < 2; b++) (b == 0 ? ref : gpu).fill(b == 0 ? v[0] : v[1], 0.01f);
        AdamStep step = new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, 3, 0.7f);
        ref.adamUpdate(p[0], g[0], m[0], v[0], step);
        gpu.adamUpdate(p[1], g[1], m[1], v[1], step);
        assertSame("adam param", p);
        assertSame("adam m", m);
        assertSame("adam v", v);
        Tensor[] out = pair(new float[] {1.5f}, 1);
        ref.sumSquares(out[0], p[0]);
        gpu.sumSquares(out[1], p[1]);
        assertSame("sumSquares", out);
        Tensor[] dst = poisoned(n);
        ref.copy(dst[0], g[0]);
        gpu.copy(dst[1], g[1]);
        assertSame("copy", dst);
    }

    // ---- inference ----------------------------------------------------------------------------------------------

    @Test
    void scoreTopKMatchesScalarIncludingExclusionsAndPadding() {
        int n = 3, h = 45, v = 300;
        Tensor[] hs = pair(random(n * h), n, h), w = pair(random(v * h), v, h), bias = pair(random(v), v);
        IntTensor[] offsets = pairInt(new int[] {0, 3, 3, 300}, n + 1);
        int[] ex = new int[300];
        ex[0] = 7;
        ex[1] = 299;
        ex[2] = 7;
        for (int i = 3; i < 300; i++) ex[i] = i - 3; // row 2 excludes 0..296: only 297, 298, 299 remain
        IntTensor[] exclude = pairInt(ex, ex.length);
        for (int k : new int[] {1, 5, 130}) {
            IntTensor[] idx = {ref.allocateInt(n, k), gpu.allocateInt(n, k)};
            Tensor[] sc = poisoned(n, k);
            ref.scoreTopK(idx[0], sc[0], hs[0], w[0], bias[0], offsets[0], exclude[0]);
            gpu.scoreTopK(idx[1], sc[1], hs[1], w[1], bias[1], offsets[1], exclude[1]);
            assertArrayEquals(getInt(ref, idx[0]), getInt(gpu, idx[1]), "top-" + k + " indices");
            assertSame("top-" + k + " scores", sc);
        }
    }

    @Test
    void scoreRankMatchesScalarInBothModes() {
        int n = 4, h = 33, v = 257;
        Tensor[] hs = pair(random(n * h), n, h), w = pair(random(v * h), v, h), bias = pair(random(v), v);
        IntTensor[] targets = pairInt(new int[] {0, 256, 100, 17}, n);
        IntTensor[] offsets = pairInt(new int[] {0, 4, 4, 9, 12}, n + 1);
        IntTensor[] list = pairInt(new int[] {1, 2, 2, 300, 5, 100, 6, 7, 8, 17, 0, 1}, 12);
        for (RankMode mode : RankMode.values()) {
            IntTensor[] rank = {ref.allocateInt(n), gpu.allocateInt(n)};
            ref.scoreRank(rank[0], hs[0], w[0], bias[0], targets[0], offsets[0], list[0], mode);
            gpu.scoreRank(rank[1], hs[1], w[1], bias[1], targets[1], offsets[1], list[1], mode);
            assertArrayEquals(getInt(ref, rank[0]), getInt(gpu, rank[1]), "rank " + mode);
        }
    }

    @Test
    void freeReturnsTheDeviceMemoryAtOnce() {
        long bytes = 256L << 20;
        Tensor big = gpu.allocate((int) (bytes / 4));
        long[] freeBefore = new long[1], freeAfter = new long[1], total = new long[1];
        CudaBackend.check(JCudaDriver.cuMemGetInfo(freeBefore, total), "cuMemGetInfo");
        gpu.free(big);
        CudaBackend.check(JCudaDriver.cuMemGetInfo(freeAfter, total), "cuMemGetInfo");
        assertTrue(freeAfter[0] - freeBefore[0] >= bytes * 9 / 10,
                "free gave back " + (freeAfter[0] - freeBefore[0]) + " of " + bytes + " bytes");
        assertThrows(IllegalStateException.class, () -> gpu.fill(big, 1f), "use after free");
    }
}
