package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.conformance.Tolerances;
import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Without a GPU: the real kernel sources, compiled for the CPU with g++ and a small CUDA emulation (one std::thread
 * per CUDA thread, barriers, shared memory as statics), driven through {@link CudaLaunches} exactly as CudaBackend
 * launches them, against ScalarBackend on random non-zero inputs with odd sizes, unaligned views and NaN-poisoned
 * outputs. Proves indexing, tails, block reductions, the top-K merge and the Java argument order; it does not prove
 * GPU memory-model races, the PTX JIT, or speed. Skipped (with the reason) where g++ is absent.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaKernelEmulationTest {
    private static final double ATOL = Tolerances.CUDA_EMULATION_ATOL, RTOL = Tolerances.CUDA_EMULATION_RTOL;

    private final ScalarBackend ref = new ScalarBackend();
    /** Allocates the emulated side's tensors (heap arrays the emulator reads and writes). */
    private final ScalarBackend mem = new ScalarBackend();
    private final Random rnd = new Random(7);
    private EmulatedLauncher launcher;
    private CudaLaunches emu;
    /** The same launches with every GEMM on 64-tiles (as on a device with more SMs than 128-tiles). */
    private CudaLaunches emuSmallTiles;
    private String skipReason = "g++ not on PATH: CUDA kernel emulation skipped";

    @BeforeAll
    void build() throws Exception {
        if (CudaSources.onPath("g++") == null) return;
        Path dir = Files.createTempDirectory("lstmrec-cuda-emu");
        Path exe = dir.resolve("emu");
        Process p = new ProcessBuilder("g++", "-std=c++20", "-O2", "-pthread", "-Wall", "-Wno-unknown-pragmas",
                "-I", CudaSources.CUDA_DIR.toString(), "src/test/cuda-emu/emu_main.cpp", "-o", exe.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(180, TimeUnit.SECONDS) || p.exitValue() != 0) {
            skipReason = "g++ could not build the CUDA emulation (needs C++20 <barrier>): " + log.lines().findFirst().orElse("");
            return;
        }
        launcher = new EmulatedLauncher(exe);
        emu = new CudaLaunches(launcher, 0);
        emuSmallTiles = new CudaLaunches(launcher, Integer.MAX_VALUE);
    }

    @BeforeEach
    void requireEmulator() {
        assumeTrue(emu != null, skipReason);
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    private float[] random(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (rnd.nextFloat() * 2 - 1) + (i % 2 == 0 ? 0.01f : -0.01f);
        return a;
    }

    /** {ref, emu} tensors holding the same data; {@code lead} leading elements make the view unaligned. */
    private Tensor[] pairAt(float[] data, int lead, int... shape) {
        Tensor[] t = new Tensor[2];
        ScalarBackend[] bs = {ref, mem};
        for (int b = 0; b < 2; b++) {
            Tensor whole = bs[b].allocate(data.length + lead + 2);
            float[] padded = new float[data.length + lead + 2];
            Arrays.fill(padded, 7f);
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
        IntTensor[] t = {ref.allocateInt(shape), mem.allocateInt(shape)};
        ref.uploadInt(t[0], data, 0);
        mem.uploadInt(t[1], data, 0);
        return t;
    }

    private static float[] get(ScalarBackend b, Tensor t) {
        float[] out = new float[t.size()];
        b.download(out, 0, t);
        return out;
    }

    private static int[] getInt(ScalarBackend b, IntTensor t) {
        int[] out = new int[t.size()];
        b.downloadInt(out, 0, t);
        return out;
    }

    /** Compares the views and also the whole storage, so a write outside the view is caught. */
    private void assertSame(String what, Tensor[] t) {
        assertClose(what, get(ref, t[0]), get(mem, t[1]));
        Tensor wholeRef = new Tensor(t[0].storage(), 0, (int) t[0].storage().length());
        Tensor wholeEmu = new Tensor(t[1].storage(), 0, (int) t[1].storage().length());
        assertClose(what + " (whole storage)", get(ref, wholeRef), get(mem, wholeEmu));
    }

    private static void assertClose(String what, float[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            float e = expected[i], a = actual[i];
            boolean ok = Float.isNaN(e) ? Float.isNaN(a) : Float.isInfinite(e) ? e == a : Math.abs(a - e) <= ATOL + RTOL * Math.abs(e);
            if (!ok) fail(what + ": element " + i + " expected " + e + " but was " + a);
        }
    }

    private void assertNoDeviceError() {
        assertEquals(0, launcher.errorFlag[0], "device error flag");
    }

    // ---- tests ------------------------------------------------------------------------------------------------

    @Test
    void gemmEveryTransposeTailAndBeta() {
        gemmSweep(emu, "128-tiles");
    }

    @Test
    void gemmSmallTilesEveryTransposeTailAndBeta() {
        gemmSweep(emuSmallTiles, "64-tiles");
    }

    private void gemmSweep(CudaLaunches ops, String variant) {
        int[][] sizes = {{1, 1, 1}, {3, 7, 5}, {17, 33, 15}, {130, 129, 19}};
        int before = launcher.launches;
        for (int[] s : sizes) {
            int m = s[0], n = s[1], k = s[2];
            for (int ta = 0; ta < 2; ta++) {
                for (int tb = 0; tb < 2; tb++) {
                    boolean transA = ta == 1, transB = tb == 1;
                    for (float beta : new float[] {0f, 0.5f}) {
                        // each transpose pair meets an aligned and an unaligned A once (keeps the launch count down)
                        for (int lead : new int[] {beta == 0f ? ta : 1 - ta}) {
                            Tensor[] a = pairAt(random(m * k), lead, transA ? new int[] {k, m} : new int[] {m, k});
                            Tensor[] b = pair(random(k * n), transB ? new int[] {n, k} : new int[] {k, n});
                            Tensor[] c = beta == 0f ? poisoned(m, n) : pairAt(random(m * n), 3, m, n);
                            ref.gemm(c[0], transA, a[0], transB, b[0], 1.5f, beta);
                            ops.gemm(c[1], transA, a[1], transB, b[1], 1.5f, beta);
                            assertSame("gemm " + variant + " " + Arrays.toString(s) + " tA=" + transA + " tB=" + transB
                                    + " beta=" + beta + " lead=" + lead, c);
                        }
                    }
                }
            }
        }
        assertEquals(sizes.length * 8, launcher.launches - before);
    }

    @Test
    void gemmAlignedFloat4PathWithLongK() {
        int m = 64, n = 136, k = 40; // multiples of 4: the float4 loads run, with an N tail past 128
        for (CudaLaunches variant : new CudaLaunches[] {emu, emuSmallTiles}) {
            for (int tb = 0; tb < 2; tb++) {
                Tensor[] a = pair(random(m * k), m, k);
                Tensor[] b = pair(random(k * n), tb == 1 ? new int[] {n, k} : new int[] {k, n});
                Tensor[] c = poisoned(m, n);
                ref.gemm(c[0], false, a[0], tb == 1, b[0], 1f, 0f);
                variant.gemm(c[1], false, a[1], tb == 1, b[1], 1f, 0f);
                assertSame("gemm aligned tB=" + (tb == 1) + (variant == emu ? "" : " small tiles"), c);
            }
        }
    }

    @Test
    void biasForwardAndBackward() {
        for (int[] s : new int[][] {{1, 1}, {7, 33}, {37, 17}}) {
            Tensor[] out = pair(random(s[0] * s[1]), s[0], s[1]);
            Tensor[] bias = pairAt(random(s[1]), 1, s[1]);
            ref.addBias(out[0], bias[0]);
            emu.addBias(out[1], bias[1]);
            assertSame("addBias", out);
            ref.biasBackward(bias[0], out[0]);
            emu.biasBackward(bias[1], out[1]);
            assertSame("biasBackward", bias);
        }
    }

    @Test
    void embeddingGatherAndScatterAdd() {
        int rows = 11, e = 17;
        int[] ids = {3, 0, 10, 3, 3, 7, 0};
        Tensor[] table = pairAt(random(rows * e), 2, rows, e);
        IntTensor[] id = pairInt(ids, ids.length);
        Tensor[] out = poisoned(ids.length, e);
        ref.embeddingForward(out[0], table[0], id[0]);
        emu.embeddingForward(out[1], table[1], id[1]);
        assertSame("embeddingForward", out);
        Tensor[] grad = pair(random(ids.length * e), ids.length, e);
        ref.embeddingBackward(table[0], grad[0], id[0]);
        emu.embeddingBackward(table[1], grad[1], id[1]);
        assertSame("embeddingBackward", table);
        assertNoDeviceError();
    }

    @Test
    void badIdsAndTargetsRaiseTheErrorFlag() {
        Tensor[] table = pair(random(12), 4, 3);
        IntTensor[] ids = pairInt(new int[] {1, 4}, 2);
        emu.embeddingForward(poisoned(2, 3)[1], table[1], ids[1]);
        assertEquals(CudaLaunches.ERR_EMBEDDING_ID, launcher.errorFlag[0]);
        launcher.errorFlag[0] = 0;
        emu.softmaxCrossEntropy(poisoned(1, 3)[1], pair(new float[] {0f}, 1)[1], pair(random(3), 1, 3)[1], pairInt(new int[] {3}, 1)[1], 1f);
        assertEquals(CudaLaunches.ERR_SOFTMAX_TARGET, launcher.errorFlag[0]);
        launcher.errorFlag[0] = 0;
        IntTensor[] rank = pairInt(new int[] {9}, 1);
        emu.scoreRank(rank[1], pair(random(2), 1, 2)[1], pair(random(6), 3, 2)[1], pair(random(3), 3)[1],
                pairInt(new int[] {3}, 1)[1], pairInt(new int[] {0, 0}, 2)[1], pairInt(new int[0], 0)[1], RankMode.EXCLUDE);
        assertEquals(CudaLaunches.ERR_RANK_TARGET, launcher.errorFlag[0]);
        assertEquals(-1, getInt(mem, rank[1])[0]);
        launcher.errorFlag[0] = 0;
        Tensor[] x = pair(random(6), 2, 3);
        emu.fillColumns(x[1], pairInt(new int[] {0, 1, 2}, 3)[1], pairInt(new int[] {0, 3}, 2)[1], -1f);
        assertEquals(CudaLaunches.ERR_FILL_COLUMN, launcher.errorFlag[0]);
        launcher.errorFlag[0] = 0;
        emu.fillColumns(x[1], pairInt(new int[] {0, 3, 2}, 3)[1], pairInt(new int[] {0, 1}, 2)[1], -1f);
        assertEquals(CudaLaunches.ERR_FILL_COLUMN, launcher.errorFlag[0], "offsets past the list");
        launcher.errorFlag[0] = 0;
    }

    @Test
    void fillColumnsEmptyRowsRepeatsAndLongLists() {
        // Rows of 300 columns: a list longer than a block's 256 threads, an empty row, a column listed twice.
        int rows = 4, v = 300;
        int[] offsets = {0, 300, 300, 303, 305};
        int[] cols = new int[305];
        for (int k = 0; k < 300; k++) cols[k] = (k * 7) % v;
        cols[300] = 0;
        cols[301] = 299;
        cols[302] = 0;
        cols[303] = 150;
        cols[304] = 151;
        for (float value : new float[] {Float.NEGATIVE_INFINITY, 2.5f}) {
            Tensor[] x = pairAt(random(rows * v), 3, rows, v);
            IntTensor[] off = pairInt(offsets, rows + 1), cl = pairInt(cols, cols.length);
            ref.fillColumns(x[0], off[0], cl[0], value);
            emu.fillColumns(x[1], off[1], cl[1], value);
            assertSame("fillColumns " + value, x);
            assertNoDeviceError();
        }
    }

    @Test
    void lstmCellForwardBackwardWithAndWithoutState() {
        for (boolean first : new boolean[] {true, false}) {
            int n = 5, h = 33;
            Tensor[] gates = pairAt(random(n * 4 * h), 1, n, 4 * h);
            Tensor[] bias = pair(random(4 * h), 4 * h);
            Tensor[] cPrev = first ? new Tensor[2] : pair(random(n * h), n, h);
            Tensor[] hOut = poisoned(n, h), cOut = poisoned(n, h);
            ref.lstmCellForward(hOut[0], cOut[0], gates[0], bias[0], cPrev[0]);
            emu.lstmCellForward(hOut[1], cOut[1], gates[1], bias[1], cPrev[1]);
            assertSame("lstm h", hOut);
            assertSame("lstm c", cOut);
            assertSame("lstm gates", gates);

            Tensor[] dh = pair(random(n * h), n, h);
            Tensor[] dc = first ? new Tensor[2] : pair(random(n * h), n, h);
            Tensor[] dGates = poisoned(n, 4 * h);
            Tensor[] dcPrev = first ? poisoned(n, h) : dc; // the dcPrev == dc alias
            ref.lstmCellBackward(dGates[0], dcPrev[0], dh[0], dc[0], gates[0], cOut[0], cPrev[0]);
            emu.lstmCellBackward(dGates[1], dcPrev[1], dh[1], dc[1], gates[1], cOut[1], cPrev[1]);
            assertSame("lstm dGates", dGates);
            assertSame("lstm dcPrev", dcPrev);
        }
    }

    @Test
    void dropoutMaskIsBitIdentical() {
        float[] data = random(1021);
        for (long seed : new long[] {0L, -1L, 0xDEADBEEFCAFEL, Long.MIN_VALUE}) {
            Tensor[] x = pairAt(data, 5, data.length);
            ref.dropout(x[0], 0.3f, seed);
            emu.dropout(x[1], 0.3f, seed);
            assertArrayEquals(get(ref, x[0]), get(mem, x[1]), "seed " + seed);
        }
    }

    @Test
    void softmaxCrossEntropyMaskedRowsAndAlias() {
        int rows = 4, v = 1021;
        Tensor[] logits = pairAt(random(rows * v), 1, rows, v);
        for (int r = 0; r < rows; r++) {
            // spread the logits so the max subtraction matters
            float[] row = random(v);
            for (int j = 0; j < v; j++) row[j] *= 8;
            ref.upload(logits[0].rows(r, 1), row, 0);
            mem.upload(logits[1].rows(r, 1), row, 0);
        }
        IntTensor[] targets = pairInt(new int[] {5, -1, 1020, 0}, rows);
        Tensor[] loss = pair(new float[] {0.25f}, 1);
        ref.softmaxCrossEntropy(logits[0], loss[0], logits[0], targets[0], 0.5f);
        emu.softmaxCrossEntropy(logits[1], loss[1], logits[1], targets[1], 0.5f);
        assertSame("dLogits (aliased)", logits);
        assertSame("loss", loss);
        assertNoDeviceError();
    }

    /** Candidates with in-batch and sampled accidental hits, a padding column and a masked row (row 3). */
    private static int[] sampledIds(int c) {
        int[] ids = new int[c];
        for (int j = 0; j < c; j++) ids[j] = (j * 37) % 211;
        ids[2] = ids[0];
        ids[c - 1] = ids[1];
        ids[c - 3] = -1;
        ids[3] = -1;
        return ids;
    }

    @Test
    void sampledSoftmaxWithLogQMaskedHitsAndAlias() {
        int n = 5, c = 300;
        for (boolean alias : new boolean[] {true, false}) {
            Tensor[] logits = pairAt(random(n * c), 1, n, c), bias = pair(random(c), c), logQ = pairAt(random(c), 2, c);
            Tensor[] dBias = pair(random(c), c), loss = pair(new float[] {0.25f}, 1);
            Tensor[] d = alias ? logits : poisoned(n, c);
            IntTensor[] ids = pairInt(sampledIds(c), c);
            ref.sampledSoftmaxCrossEntropy(d[0], dBias[0], loss[0], logits[0], bias[0], logQ[0], ids[0], 0.8f, 0.5f);
            emu.sampledSoftmaxCrossEntropy(d[1], dBias[1], loss[1], logits[1], bias[1], logQ[1], ids[1], 0.8f, 0.5f);
            assertSame("sampled dLogits" + (alias ? " (aliased)" : ""), d);
            assertSame("sampled dBias", dBias);
            assertSame("sampled loss", loss);
        }
        assertNoDeviceError();
    }

    @Test
    void bprMaxWithMaskedHits() {
        int n = 5, c = 300;
        Tensor[] logits = pairAt(random(n * c), 3, n, c), bias = pair(random(c), c);
        Tensor[] dBias = pair(random(c), c), loss = pair(new float[] {0.5f}, 1), d = poisoned(n, c);
        IntTensor[] ids = pairInt(sampledIds(c), c);
        ref.bprMaxLoss(d[0], dBias[0], loss[0], logits[0], bias[0], ids[0], 1f, 0.5f);
        emu.bprMaxLoss(d[1], dBias[1], loss[1], logits[1], bias[1], ids[1], 1f, 0.5f);
        assertSame("bpr-max dLogits", d);
        assertSame("bpr-max dBias", dBias);
        assertSame("bpr-max loss", loss);
        assertNoDeviceError();
    }

    @Test
    void adamUpdateRowsTouchesOnlyListedRows() {
        AdamStep step = new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, 4, 0.7f);
        rowUpdateMatches("adamUpdateRows", "m", "v", (p, g, m, v, ids) -> ref.adamUpdateRows(p, g, m, v, ids, step),
                (p, g, m, v, ids) -> emu.adamUpdateRows(p, g, m, v, ids, step));
    }

    @Test
    void adagradUpdateRowsTouchesOnlyListedRows() {
        AdagradStep step = new AdagradStep(5e-2f, 0.3f, 1e-6f, 0.01f, 0.7f);
        rowUpdateMatches("adagradUpdateRows", "mom", "acc", (p, g, m, a, ids) -> ref.adagradUpdateRows(p, g, m, a, ids, step),
                (p, g, m, a, ids) -> emu.adagradUpdateRows(p, g, m, a, ids, step));
    }

    /** A row-wise optimiser step: the table, its compact gradient, the two state tensors, the listed rows. */
    private interface RowUpdate {
        void apply(Tensor param, Tensor grad, Tensor m, Tensor v, IntTensor rows);
    }

    /** The oracle's and the emulated kernel's step on 6 of 37 rows (first and last included), every output compared. */
    private void rowUpdateMatches(String op, String mName, String vName, RowUpdate oracle, RowUpdate emulated) {
        int rows = 37, c = 19, n = 6;
        Tensor[] p = pair(random(rows * c), rows, c), m = pair(random(rows * c), rows, c), v = pair(random(rows * c), rows, c);
        ref.fill(v[0], 0.02f);
        mem.fill(v[1], 0.02f);
        Tensor[] g = pairAt(random((n + 1) * c), 5, n + 1, c);
        IntTensor[] ids = pairInt(new int[] {36, 0, 17, 5, 18, 2}, n);
        oracle.apply(p[0], g[0], m[0], v[0], ids[0]);
        emulated.apply(p[1], g[1], m[1], v[1], ids[1]);
        assertSame(op + " param", p);
        assertSame(op + " " + mName, m);
        assertSame(op + " " + vName, v);
        assertNoDeviceError();
    }

    @Test
    void adamSumSquaresAndFill() {
        int n = 1027;
        Tensor[] p = pair(random(n), n), g = pairAt(random(n), 3, n), m = pair(random(n), n), v = pair(random(n), n);
        ref.fill(v[0], 0.01f);
        emu.fill(v[1], 0.01f);
        assertSame("fill", v);
        AdamStep step = new AdamStep(1e-2f, 0.9f, 0.999f, 1e-8f, 0.01f, 3, 0.7f);
        ref.adamUpdate(p[0], g[0], m[0], v[0], step);
        emu.adamUpdate(p[1], g[1], m[1], v[1], step);
        assertSame("adam param", p);
        assertSame("adam m", m);
        assertSame("adam v", v);
        for (int size : new int[] {1, 257, 1027}) {
            Tensor[] out = pair(new float[] {1.5f}, 1);
            ref.sumSquares(out[0], p[0].view(0, size));
            emu.sumSquares(out[1], p[1].view(0, size));
            assertSame("sumSquares " + size, out);
        }
    }

    @Test
    void scoreTopKWithExclusionsTiesAndPadding() {
        int n = 3, h = 45, v = 300;
        Tensor[] hs = pair(random(n * h), n, h), w = pairAt(random(v * h), 1, v, h), bias = pair(random(v), v);
        // items 40 and 41 get identical rows and biases: an exact tie that the lower index must win
        for (Tensor t : new Tensor[] {w[0], w[1]}) {
            ScalarBackend b = t == w[0] ? ref : mem;
            float[] row = get(b, t.rows(40, 1));
            b.upload(t.rows(41, 1), row, 0);
        }
        for (Tensor t : new Tensor[] {bias[0], bias[1]}) {
            ScalarBackend b = t == bias[0] ? ref : mem;
            float[] all = get(b, t);
            all[40] = all[41] = 5f; // high enough to sit near the top, so the tie meets the K boundary in some rows
            b.upload(t, all, 0);
        }
        IntTensor[] offsets = pairInt(new int[] {0, 3, 3, 300}, n + 1);
        int[] ex = new int[300];
        ex[0] = 7;
        ex[1] = 299;
        ex[2] = 7;
        for (int i = 3; i < 300; i++) ex[i] = i - 3; // row 2 excludes 0..296: only 297, 298, 299 remain
        IntTensor[] exclude = pairInt(ex, ex.length);
        for (int k : new int[] {1, 2, 5, 130}) {
            IntTensor[] idx = {ref.allocateInt(n, k), mem.allocateInt(n, k)};
            Tensor[] sc = poisoned(n, k);
            ref.scoreTopK(idx[0], sc[0], hs[0], w[0], bias[0], offsets[0], exclude[0]);
            emu.scoreTopK(idx[1], sc[1], hs[1], w[1], bias[1], offsets[1], exclude[1]);
            assertArrayEquals(getInt(ref, idx[0]), getInt(mem, idx[1]), "top-" + k + " indices");
            assertSame("top-" + k + " scores", sc);
        }
        int[] row2 = new int[130];
        IntTensor[] idx = {ref.allocateInt(n, 130), mem.allocateInt(n, 130)};
        emu.scoreTopK(idx[1], poisoned(n, 130)[1], hs[1], w[1], bias[1], offsets[1], exclude[1]);
        System.arraycopy(getInt(mem, idx[1]), 260, row2, 0, 130);
        assertTrue(row2[2] >= 297 && row2[3] == -1, "row 2 pads after its 3 candidates: " + Arrays.toString(row2));
    }

    @Test
    void scoreRankBothModesWithDuplicatesAndOutOfRangeEntries() {
        int n = 4, h = 33, v = 257;
        Tensor[] hs = pair(random(n * h), n, h), w = pair(random(v * h), v, h), bias = pair(random(v), v);
        IntTensor[] targets = pairInt(new int[] {0, 256, 100, 17}, n);
        IntTensor[] offsets = pairInt(new int[] {0, 4, 4, 9, 12}, n + 1);
        IntTensor[] list = pairInt(new int[] {1, 2, 2, 300, 5, 100, 6, 7, 8, 17, 0, 1}, 12);
        for (RankMode mode : RankMode.values()) {
            IntTensor[] rank = {ref.allocateInt(n), mem.allocateInt(n)};
            ref.scoreRank(rank[0], hs[0], w[0], bias[0], targets[0], offsets[0], list[0], mode);
            emu.scoreRank(rank[1], hs[1], w[1], bias[1], targets[1], offsets[1], list[1], mode);
            assertArrayEquals(getInt(ref, rank[0]), getInt(mem, rank[1]), "rank " + mode);
        }
        assertNoDeviceError();
    }
}
