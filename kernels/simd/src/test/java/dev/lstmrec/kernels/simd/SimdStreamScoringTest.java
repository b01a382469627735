package dev.lstmrec.kernels.simd;

// The streamed scoring paths of SimdBackend (per-item dot products for a few queries, GEMM tiles for more; item
// ranges split over threads) against ScalarBackend, exactly: dyadic inputs make every score exact on both backends.

import dev.lstmrec.engine.backend.RankMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Query counts on both sides of {@link Scoring#GEMM_MIN_QUERIES} and of a GEMM panel, catalogues large enough to be
 * split across threads (with tied rows on both sides of the split), exclusion lists with duplicates, out-of-range
 * entries and the target, outputs poisoned with NaN, and NaN scores (which rank counts must treat as the scalar
 * reference does: a NaN score is never below the target).
 */
class SimdStreamScoringTest {
    static Stream<Mirror.Config> configs() {
        return Mirror.configs();
    }

    private static final int[][] SHAPES = { // n, H, V, K
            {1, 7, 3001, 5}, {3, 64, 20011, 10}, {4, 1, 257, 300}, {5, 33, 1021, 7}, {17, 16, 5003, 20},
            {33, 64, 4099, 10}, {70, 17, 2003, 3}, {40, 64, 12007, 1},
    };

    /** Dyadic values k/64 in [-1, 1]: products and sums of a few hundred stay exact in float. */
    private static float[] dyadic(java.util.Random rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (rnd.nextInt(129) - 64) / 64f;
        return x;
    }

    /** A catalogue of a million items (many blocks per thread, indices past 2^20) on both paths, 2 threads. */
    @org.junit.jupiter.api.Test
    void millionItemCatalogueMatchesScalarExactly() {
        int max = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        try (Mirror w = new Mirror(new Mirror.Config(max, 2), 31)) {
            int v = 1_000_003, hid = 3, k = 10;
            float[] wt = dyadic(w.rnd, v * hid), bias = dyadic(w.rnd, v);
            for (int dup : new int[] {v / 2 - 3, v / 2 + 5, v - 1}) {
                System.arraycopy(wt, 7 * hid, wt, dup * hid, hid);
                bias[dup] = bias[7];
            }
            Mirror.T wtt = w.tensor(wt, v, hid), bt = w.tensor(bias, v);
            for (int n : new int[] {2, 6}) {
                float[] h = dyadic(w.rnd, n * hid);
                int[] targets = new int[n], offsets = new int[n + 1];
                int[] list = new int[n * 3];
                for (int r = 0; r < n; r++) {
                    targets[r] = r == 0 ? 7 : w.rnd.nextInt(v);
                    list[3 * r] = v / 2 + 5;
                    list[3 * r + 1] = w.rnd.nextInt(v);
                    list[3 * r + 2] = v - 1 - r;
                    offsets[r + 1] = 3 * (r + 1);
                }
                Mirror.T ht = w.tensor(h, n, hid);
                Mirror.I off = w.ints(offsets, n + 1), li = w.ints(list, list.length), tg = w.ints(targets, n);
                Mirror.I idx = w.ints(new int[n * k], n, k);
                Mirror.T score = w.poisoned(n, k);
                w.ref.scoreTopK(idx.ref(), score.ref(), ht.ref(), wtt.ref(), bt.ref(), off.ref(), li.ref());
                w.simd.scoreTopK(idx.simd(), score.simd(), ht.simd(), wtt.simd(), bt.simd(), off.simd(), li.simd());
                w.assertSame("scoreTopK index V=10^6 n=" + n, idx);
                w.assertSame("scoreTopK score V=10^6 n=" + n, score);
                Mirror.I rank = w.ints(new int[n], n);
                w.ref.scoreRank(rank.ref(), ht.ref(), wtt.ref(), bt.ref(), tg.ref(), off.ref(), li.ref(), RankMode.EXCLUDE);
                w.simd.scoreRank(rank.simd(), ht.simd(), wtt.simd(), bt.simd(), tg.simd(), off.simd(), li.simd(), RankMode.EXCLUDE);
                w.assertSame("scoreRank V=10^6 n=" + n, rank);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("configs")
    void streamedTopKAndRankMatchScalarExactly(Mirror.Config config) {
        try (Mirror w = new Mirror(config, 21)) {
            for (int[] shape : SHAPES) {
                int n = shape[0], hid = shape[1], v = shape[2], k = shape[3];
                float[] wt = dyadic(w.rnd, v * hid), bias = dyadic(w.rnd, v);
                float[] h = dyadic(w.rnd, n * hid);
                // Ties: copies of row 3 near the start, in the middle (the thread split) and at the end.
                for (int dup : new int[] {v / 2 - 1, v / 2, v / 2 + 1, v - 1}) {
                    System.arraycopy(wt, 3 * hid, wt, dup * hid, hid);
                    bias[dup] = bias[3];
                }
                int[] targets = new int[n];
                int[] offsets = new int[n + 1];
                List<Integer> list = new ArrayList<>();
                for (int r = 0; r < n; r++) {
                    targets[r] = r % 3 == 0 ? 3 : w.rnd.nextInt(v);
                    int count = w.rnd.nextInt(9);
                    for (int e = 0; e < count; e++) list.add(w.rnd.nextInt(v));
                    if (r % 2 == 1) list.add(v / 2);          // a tied copy excluded
                    if (r % 4 == 1) list.add(targets[r]);     // the target listed: still scored
                    if (r % 5 == 2) { list.add(v + 3); list.add(-1); } // ignored entries
                    if (count > 0) list.add(list.get(list.size() - 1)); // a duplicate
                    offsets[r + 1] = list.size();
                }
                int[] flat = list.stream().mapToInt(Integer::intValue).toArray();
                Mirror.T ht = w.tensor(h, n, hid), wtt = w.tensor(wt, v, hid), bt = w.tensor(bias, v);
                Mirror.I off = w.ints(offsets, n + 1), li = w.ints(flat, flat.length), tg = w.ints(targets, n);
                String what = "n=" + n + " H=" + hid + " V=" + v + " K=" + k;

                Mirror.I idx = w.ints(new int[n * k], n, k);
                Mirror.T score = w.poisoned(n, k);
                w.ref.scoreTopK(idx.ref(), score.ref(), ht.ref(), wtt.ref(), bt.ref(), off.ref(), li.ref());
                w.simd.scoreTopK(idx.simd(), score.simd(), ht.simd(), wtt.simd(), bt.simd(), off.simd(), li.simd());
                w.assertSame("scoreTopK index " + what, idx);
                w.assertSame("scoreTopK score " + what, score);

                for (RankMode mode : RankMode.values()) {
                    Mirror.I rank = w.ints(new int[n], n);
                    w.ref.scoreRank(rank.ref(), ht.ref(), wtt.ref(), bt.ref(), tg.ref(), off.ref(), li.ref(), mode);
                    w.simd.scoreRank(rank.simd(), ht.simd(), wtt.simd(), bt.simd(), tg.simd(), off.simd(), li.simd(), mode);
                    w.assertSame("scoreRank " + mode + " " + what, rank);
                }

                // NaN scores: a NaN bias on a few items (one of them excluded for some rows, one a target).
                float[] nanBias = bias.clone();
                nanBias[v / 3] = Float.NaN;
                nanBias[v - 2] = Float.NaN;
                if (n > 1) nanBias[targets[1]] = Float.NaN;
                Mirror.T nb = w.tensor(nanBias, v);
                for (RankMode mode : RankMode.values()) {
                    Mirror.I rank = w.ints(new int[n], n);
                    w.ref.scoreRank(rank.ref(), ht.ref(), wtt.ref(), nb.ref(), tg.ref(), off.ref(), li.ref(), mode);
                    w.simd.scoreRank(rank.simd(), ht.simd(), wtt.simd(), nb.simd(), tg.simd(), off.simd(), li.simd(), mode);
                    w.assertSame("scoreRank with NaN scores " + mode + " " + what, rank);
                }
            }
        }
    }
}
