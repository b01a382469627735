package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.TopK;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.lstmrec.kernels.simd.Heap.f;
import static dev.lstmrec.kernels.simd.Heap.i;
import static dev.lstmrec.kernels.simd.Heap.o;

/**
 * Exact scoring of query rows against every output row, streamed: W_out passes once through cache-sized blocks,
 * each part (thread) owns a contiguous item range and keeps a running top-K list or rank count per query, so no
 * [n × V] score matrix exists and nothing is O(V) per query. With enough queries a block of W_out rows is scored
 * against a panel of queries by the GEMM micro-kernel (W rows read in place, queries packed once per call), and the
 * tile is reduced at once, vectorised across the panel's queries; a handful of queries use one vector dot product
 * per (query, item). Exclusions are sorted per query: top-K checks them only for a score that would enter the list,
 * rank counts every item and then subtracts the excluded ones, rescored by the path's own arithmetic. Selection rules
 * (ties to the lower index, conservative rank) match ScalarBackend, which SimdStreamScoringTest compares against.
 */
final class Scoring {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    private static final int MR = Gemm.MR;
    private static final int NR = Gemm.NR;
    /** Fewer queries than this use per-item dot products: a GEMM panel pads the queries to NR columns. */
    static final int GEMM_MIN_QUERIES = 5;
    /** W rows per block, in floats (the block stays in L2 while every query panel passes over it). */
    private static final int BLOCK_FLOATS = 1 << 15;

    /** Per-call inputs every part reads: packed queries, sorted distinct skip lists, target scores. */
    static final class Queries {
        float[] packed = new float[0];
        float[] targetScore = new float[0];
        int[] skipOffsets = new int[0];
        int[] skip = new int[0];
        int n, nPad, hid, v;
        boolean gemmPath;
        float[] hd;
        int ho;

        /**
         * Prepares n queries: packs them for the GEMM path, and builds each query's sorted distinct skip list from
         * the CSR list (entries outside [0, v) ignored), adding the query's own target when {@code targets} is
         * given (rank: the target is not counted against itself). The tensors are those of {@code Backend.scoreTopK}
         * / {@code scoreRank}; v is the number of output rows.
         */
        void prepare(Tensor h, int v, IntTensor listOffsets, IntTensor list, IntTensor targets) {
            int[] off = i(listOffsets), li = i(list), tg = i(targets);
            int offo = o(listOffsets), lio = o(list), tgo = o(targets);
            this.hd = f(h); this.ho = o(h); this.n = h.dim(0); this.hid = h.dim(1); this.v = v;
            gemmPath = n >= GEMM_MIN_QUERIES;
            nPad = gemmPath ? (n + NR - 1) / NR * NR : n;
            if (gemmPath) {
                if (packed.length < nPad * hid) packed = new float[nPad * hid];
                Gemm.packB(packed, true, hd, ho, hid, 0, hid, 0, n);
            }
            int total = off[offo + n] - off[offo] + (tg == null ? 0 : n);
            if (skipOffsets.length < n + 1) skipOffsets = new int[n + 1];
            if (skip.length < total) skip = new int[total];
            int e = 0;
            for (int r = 0; r < n; r++) {
                skipOffsets[r] = e;
                int start = e;
                for (int x = off[offo + r]; x < off[offo + r + 1]; x++) {
                    int j = li[lio + x];
                    if (j >= 0 && j < v) skip[e++] = j;
                }
                if (tg != null) skip[e++] = tg[tgo + r];
                e = start + sortDistinct(skip, start, e);
            }
            skipOffsets[n] = e;
            if (targetScore.length < nPad) targetScore = new float[nPad];
        }

        /** Whether item j is on query r's skip list. */
        boolean skips(int r, int j) {
            return Arrays.binarySearch(skip, skipOffsets[r], skipOffsets[r + 1], j) >= 0;
        }

        /** Query r's score of item j by exactly the arithmetic of the path this call takes. */
        float score(int r, float[] wd, int wo, float[] bd, int bo, int j) {
            int h = ho + r * hid, w = wo + j * hid;
            if (!gemmPath) return dot(hd, h, wd, w, hid) + bd[bo + j];
            float s = 0f; // the micro-kernel's order: one fused multiply-add per step, from zero
            for (int q = 0; q < hid; q++) s = Math.fma(hd[h + q], wd[w + q], s);
            return s + bd[bo + j];
        }
    }

    /** Per-part running state: rank counts or top-K lists per query, grown on demand and kept. */
    static final class Part {
        int[] count = new int[0];
        int[] bestI = new int[0];
        float[] bestS = new float[0];
        float[] threshold = new float[0];
        boolean[] filling = new boolean[0];
        float[] padW = new float[0];
        int[] list = new int[0];
        final float[] tile = new float[MR * NR];
        final float[] lanes = new float[NR];

        void ensure(int nPad, int k, int hid) {
            if (count.length < nPad) {
                count = new int[nPad];
                threshold = new float[nPad];
                filling = new boolean[nPad];
            }
            if (bestI.length < nPad * k) {
                bestI = new int[nPad * k];
                bestS = new float[nPad * k];
            }
            if (padW.length < MR * hid) padW = new float[MR * hid];
        }
    }

    private Scoring() {}

    /** W rows per block for width hid: a multiple of MR. */
    private static int blockItems(int hid) {
        int rows = Math.max(MR, BLOCK_FLOATS / Math.max(1, hid));
        return rows - rows % MR;
    }

    // ---- rank (full ranking) ---------------------------------------------------------------------------------

    /** Counts, for every query, the items j in [j0, j1) with {@code !(s_j < targetScore)} into part.count. */
    static void countAtLeast(Part part, Queries q, float[] wd, int wo, float[] bd, int bo, int j0, int j1) {
        int n = q.n, hid = q.hid;
        part.ensure(q.nPad, 0, hid);
        int[] count = part.count;
        Arrays.fill(count, 0, q.nPad, 0);
        float[] st = q.targetScore;
        if (!q.gemmPath) {
            countFew(count, q, wd, wo, bd, bo, j0, j1);
            return;
        }
        int block = blockItems(hid);
        FloatVector one = FloatVector.broadcast(S, 1f), zero = FloatVector.zero(S);
        float[] tile = part.tile, lanes = part.lanes;
        for (int jb = j0; jb < j1; jb += block) {
            int je = Math.min(j1, jb + block);
            for (int p = 0; p < q.nPad; p += NR) {
                FloatVector t0 = FloatVector.fromArray(S, st, p), t1 = FloatVector.fromArray(S, st, p + L);
                // Float counts are exact: at most `block` per lane before they go into the int counts.
                FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
                for (int j = jb; j < je; j += MR) {
                    int mr = Math.min(MR, je - j);
                    scoreTile(part, q, wd, wo, hid, j, mr, p);
                    for (int i = 0; i < mr; i++) {
                        FloatVector b = FloatVector.broadcast(S, bd[bo + j + i]);
                        FloatVector s0 = FloatVector.fromArray(S, tile, i * NR).add(b);
                        FloatVector s1 = FloatVector.fromArray(S, tile, i * NR + L).add(b);
                        c0 = c0.add(zero.blend(one, s0.compare(VectorOperators.LT, t0)));
                        c1 = c1.add(zero.blend(one, s1.compare(VectorOperators.LT, t1)));
                    }
                }
                c0.intoArray(lanes, 0);
                c1.intoArray(lanes, L);
                // Counted: the items strictly below the target (NaN compares false, so it is never below).
                for (int x = 0; x < NR; x++) count[p + x] += (je - jb) - (int) lanes[x];
            }
        }
    }

    /** Rank of query r from the parts' counts: the skipped items (its target, its exclusions) are taken back out. */
    static int rankFromCounts(Part[] parts, int usedParts, Queries q, int r, float[] wd, int wo, float[] bd, int bo) {
        int total = 0;
        for (int p = 0; p < usedParts; p++) total += parts[p].count[r];
        float st = q.targetScore[r];
        for (int e = q.skipOffsets[r]; e < q.skipOffsets[r + 1]; e++) {
            if (!(q.score(r, wd, wo, bd, bo, q.skip[e]) < st)) total--;
        }
        return total;
    }

    // ---- top-K -------------------------------------------------------------------------------------------------

    /** Running top-K of every query over items [j0, j1) into the part's lists (part.count = entries filled). */
    static void topK(Part part, Queries q, float[] wd, int wo, float[] bd, int bo, int k, int j0, int j1) {
        int n = q.n, hid = q.hid;
        part.ensure(q.nPad, k, hid);
        int[] count = part.count;
        float[] thr = part.threshold;
        boolean[] filling = part.filling;
        for (int r = 0; r < q.nPad; r++) {
            count[r] = 0;
            filling[r] = r < n;
            thr[r] = r < n ? Float.NEGATIVE_INFINITY : Float.POSITIVE_INFINITY; // padding lanes never accept
        }
        if (!q.gemmPath) {
            topKFew(part, q, wd, wo, bd, bo, k, j0, j1);
            return;
        }
        int block = blockItems(hid);
        float[] tile = part.tile;
        for (int jb = j0; jb < j1; jb += block) {
            int je = Math.min(j1, jb + block);
            for (int p = 0; p < q.nPad; p += NR) {
                FloatVector t0 = FloatVector.fromArray(S, thr, p), t1 = FloatVector.fromArray(S, thr, p + L);
                VectorMask<Float> f0 = VectorMask.fromArray(S, filling, p), f1 = VectorMask.fromArray(S, filling, p + L);
                for (int j = jb; j < je; j += MR) {
                    int mr = Math.min(MR, je - j);
                    scoreTile(part, q, wd, wo, hid, j, mr, p);
                    for (int i = 0; i < mr; i++) {
                        FloatVector b = FloatVector.broadcast(S, bd[bo + j + i]);
                        FloatVector s0 = FloatVector.fromArray(S, tile, i * NR).add(b);
                        FloatVector s1 = FloatVector.fromArray(S, tile, i * NR + L).add(b);
                        VectorMask<Float> m0 = s0.compare(VectorOperators.GT, t0).or(f0);
                        VectorMask<Float> m1 = s1.compare(VectorOperators.GT, t1).or(f1);
                        if (!m0.anyTrue() && !m1.anyTrue()) continue;
                        // Rare once the lists are full: offer the row's passing lanes one by one, then reload.
                        int item = j + i;
                        for (int x = 0; x < NR; x++) {
                            int r = p + x;
                            float s = tile[i * NR + x] + bd[bo + item];
                            if (r < n && (filling[r] || s > thr[r]) && !q.skips(r, item)) offer(part, r, k, item, s);
                        }
                        t0 = FloatVector.fromArray(S, thr, p);
                        t1 = FloatVector.fromArray(S, thr, p + L);
                        f0 = VectorMask.fromArray(S, filling, p);
                        f1 = VectorMask.fromArray(S, filling, p + L);
                    }
                }
            }
        }
    }

    /** The few-queries path of {@link #countAtLeast}: one dot product per (query, item), in its own small method. */
    private static void countFew(int[] count, Queries q, float[] wd, int wo, float[] bd, int bo, int j0, int j1) {
        int n = q.n, hid = q.hid;
        float[] st = q.targetScore, hd = q.hd;
        for (int r = 0; r < n; r++) {
            int h = q.ho + r * hid, c = 0;
            float t = st[r];
            for (int j = j0; j < j1; j++) if (!(dot(hd, h, wd, wo + j * hid, hid) + bd[bo + j] < t)) c++;
            count[r] = c;
        }
    }

    /** The few-queries path of {@link #topK}. */
    private static void topKFew(Part part, Queries q, float[] wd, int wo, float[] bd, int bo, int k, int j0, int j1) {
        int n = q.n, hid = q.hid;
        float[] hd = q.hd, thr = part.threshold;
        boolean[] filling = part.filling;
        for (int r = 0; r < n; r++) {
            int h = q.ho + r * hid;
            for (int j = j0; j < j1; j++) {
                float s = dot(hd, h, wd, wo + j * hid, hid) + bd[bo + j];
                if ((filling[r] || s > thr[r]) && !q.skips(r, j)) offer(part, r, k, j, s);
            }
        }
    }

    private static void offer(Part part, int r, int k, int j, float s) {
        int base = r * k;
        int c = TopK.offer(part.bestI, part.bestS, base, k, part.count[r], j, s);
        part.count[r] = c;
        if (c == k) {
            part.filling[r] = false;
            part.threshold[r] = part.bestS[base + k - 1];
        }
    }

    /**
     * Query r's final list: the parts' lists offered in part order (parts own ascending item ranges and each list is
     * sorted with ties by the lower index, so equal scores arrive in index order), padded with -1 / -inf.
     */
    static void mergeTopK(Part[] parts, int usedParts, int r, int k, int[] outI, int outIOff, float[] outS, int outSOff) {
        Part first = parts[0];
        int base = r * k, filled = first.count[r];
        for (int p = 1; p < usedParts; p++) {
            Part part = parts[p];
            for (int e = 0; e < part.count[r]; e++) {
                filled = TopK.offer(first.bestI, first.bestS, base, k, filled, part.bestI[base + e], part.bestS[base + e]);
            }
        }
        Arrays.fill(first.bestI, base + filled, base + k, -1);
        Arrays.fill(first.bestS, base + filled, base + k, Float.NEGATIVE_INFINITY);
        System.arraycopy(first.bestI, base, outI, outIOff, k);
        System.arraycopy(first.bestS, base, outS, outSOff, k);
    }

    // ---- rank (sampled candidates) ---------------------------------------------------------------------------

    /**
     * Rows [r0, r1) of {@code Backend.scoreRank} in candidates mode, same tensors: each row's rank among its distinct
     * listed candidates (one vector dot product each).
     */
    static void rankCandidates(Part part, IntTensor outRank, Tensor h, Tensor w, Tensor bias, IntTensor targets,
                               IntTensor listOffsets, IntTensor list, int r0, int r1) {
        int[] rk = i(outRank), tg = i(targets), off = i(listOffsets), li = i(list);
        float[] hd = f(h), wd = f(w), bd = f(bias);
        int rko = o(outRank), tgo = o(targets), offo = o(listOffsets), lio = o(list), ho = o(h), wo = o(w), bo = o(bias);
        int hid = h.dim(1), v = w.dim(0);
        for (int r = r0; r < r1; r++) {
            int t = tg[tgo + r], hr = ho + r * hid;
            int from = off[offo + r], to = off[offo + r + 1];
            if (part.list.length < to - from) part.list = new int[to - from];
            int[] c = part.list;
            int m = 0;
            for (int e = from; e < to; e++) {
                int j = li[lio + e];
                if (j >= 0 && j < v && j != t) c[m++] = j;
            }
            m = sortDistinct(c, 0, m);
            float st = dot(hd, hr, wd, wo + t * hid, hid) + bd[bo + t];
            int rank = 0;
            for (int e = 0; e < m; e++) {
                int j = c[e];
                if (!(dot(hd, hr, wd, wo + j * hid, hid) + bd[bo + j] < st)) rank++;
            }
            rk[rko + r] = rank;
        }
    }

    // ---- shared pieces -------------------------------------------------------------------------------------------

    /** tile[MR × NR] = W rows [j, j + mr) · query panel p (rows past mr are zero-padded copies). */
    private static void scoreTile(Part part, Queries q, float[] wd, int wo, int hid, int j, int mr, int p) {
        float[] a = wd;
        int ai = wo + j * hid;
        if (mr < MR) {
            System.arraycopy(wd, ai, part.padW, 0, mr * hid);
            Arrays.fill(part.padW, mr * hid, MR * hid, 0f);
            a = part.padW;
            ai = 0;
        }
        Gemm.direct(false, hid, a, ai, hid, q.packed, p * hid, part.tile, 0, NR, 1f, false);
    }

    /** Sorts a[from, to) and moves its distinct values to the front; returns how many there are. */
    static int sortDistinct(int[] a, int from, int to) {
        if (to <= from) return 0;
        Arrays.sort(a, from, to);
        int w = from + 1;
        for (int x = from + 1; x < to; x++) if (a[x] != a[w - 1]) a[w++] = a[x];
        return w - from;
    }

    /** Vector dot product, two accumulators, one reduction, scalar tail. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc0 = FloatVector.zero(S), acc1 = FloatVector.zero(S);
        int bound = S.loopBound(n), j = 0;
        for (; j + L < bound; j += 2 * L) {
            acc0 = FloatVector.fromArray(S, a, ao + j).fma(FloatVector.fromArray(S, b, bo + j), acc0);
            acc1 = FloatVector.fromArray(S, a, ao + j + L).fma(FloatVector.fromArray(S, b, bo + j + L), acc1);
        }
        for (; j < bound; j += L) acc0 = FloatVector.fromArray(S, a, ao + j).fma(FloatVector.fromArray(S, b, bo + j), acc0);
        float s = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; j < n; j++) s += a[ao + j] * b[bo + j];
        return s;
    }
}
