package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.backend.TopK;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

/**
 * Scoring of hidden rows against every output row (top-K and rank of a target). Blocks of rows are scored at once
 * with the packed GEMM (NT) into a per-thread score buffer, then each row is selected in one scalar pass; the
 * sampled-candidates rank instead takes one vector dot product per listed item. Selection rules (ties to the lower
 * index, conservative rank) match ScalarBackend, which SimdOpsTest compares against.
 */
final class Scoring {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    /** Score buffer budget per thread, in floats (4 MiB). */
    private static final int BUFFER_FLOATS = 1 << 20;

    /** Per-thread buffers, grown on demand and kept. */
    static final class Part {
        float[] scores = new float[0];
        boolean[] marks = new boolean[0];
        int[] bestI = new int[0];
        float[] bestS = new float[0];

        void ensure(int scoreFloats, int v, int k) {
            if (scores.length < scoreFloats) scores = new float[scoreFloats];
            if (marks.length < v) marks = new boolean[v];
            if (bestI.length < k) {
                bestI = new int[k];
                bestS = new float[k];
            }
        }
    }

    private Scoring() {}

    /** Rows per GEMM block: a multiple of the micro-kernel height, within the buffer budget. */
    static int blockRows(int v) {
        int rows = Math.max(1, Math.min(16 * Gemm.MR, BUFFER_FLOATS / Math.max(1, v)));
        return rows >= Gemm.MR ? rows - rows % Gemm.MR : rows;
    }

    /** scoreTopK for rows [r0, r1). */
    static void topK(Part part, Gemm.Workspace ws, int[] xi, int xo, float[] sd, int so, float[] hd, int ho,
                     float[] wd, int wo, float[] bd, int bo, int[] off, int offo, int[] ex, int exo,
                     int hid, int v, int k, int r0, int r1) {
        int block = blockRows(v);
        part.ensure(block * v, v, k);
        float[] sc = part.scores;
        boolean[] skip = part.marks;
        int[] bestI = part.bestI;
        float[] bestS = part.bestS;
        for (int rb = r0; rb < r1; rb += block) {
            int nb = Math.min(block, r1 - rb);
            Gemm.compute(ws, false, hd, ho + rb * hid, hid, true, wd, wo, hid, sc, 0, v, 0, nb, 0, v, hid, 1f, 0f);
            for (int i = 0; i < nb; i++) {
                int r = rb + i, row = i * v;
                int from = off[offo + r], to = off[offo + r + 1];
                for (int e = from; e < to; e++) {
                    int j = ex[exo + e];
                    if (j >= 0 && j < v) skip[j] = true;
                }
                Arrays.fill(bestI, 0, k, -1);
                Arrays.fill(bestS, 0, k, Float.NEGATIVE_INFINITY);
                int count = 0;
                for (int j = 0; j < v; j++) {
                    if (skip[j]) continue;
                    count = TopK.offer(bestI, bestS, k, count, j, sc[row + j] + bd[bo + j]);
                }
                for (int e = from; e < to; e++) {
                    int j = ex[exo + e];
                    if (j >= 0 && j < v) skip[j] = false;
                }
                System.arraycopy(bestI, 0, xi, xo + r * k, k);
                System.arraycopy(bestS, 0, sd, so + r * k, k);
            }
        }
    }

    /** scoreRank for rows [r0, r1). */
    static void rank(Part part, Gemm.Workspace ws, int[] rk, int rko, float[] hd, int ho, float[] wd, int wo,
                     float[] bd, int bo, int[] tg, int tgo, int[] off, int offo, int[] li, int lio, RankMode mode,
                     int hid, int v, int r0, int r1) {
        if (mode == RankMode.CANDIDATES) {
            part.ensure(0, v, 0);
            boolean[] listed = part.marks;
            for (int r = r0; r < r1; r++) {
                int t = tg[tgo + r], hRow = ho + r * hid;
                float st = dot(hd, hRow, wd, wo + t * hid, hid) + bd[bo + t];
                int from = off[offo + r], to = off[offo + r + 1];
                for (int e = from; e < to; e++) {
                    int j = li[lio + e];
                    if (j >= 0 && j < v) listed[j] = true;
                }
                int rank = 0;
                for (int e = from; e < to; e++) {
                    int j = li[lio + e];
                    if (j < 0 || j >= v || !listed[j]) continue;
                    listed[j] = false;
                    if (j != t && !(dot(hd, hRow, wd, wo + j * hid, hid) + bd[bo + j] < st)) rank++;
                }
                rk[rko + r] = rank;
            }
            return;
        }
        int block = blockRows(v);
        part.ensure(block * v, v, 0);
        float[] sc = part.scores;
        boolean[] listed = part.marks;
        for (int rb = r0; rb < r1; rb += block) {
            int nb = Math.min(block, r1 - rb);
            Gemm.compute(ws, false, hd, ho + rb * hid, hid, true, wd, wo, hid, sc, 0, v, 0, nb, 0, v, hid, 1f, 0f);
            for (int i = 0; i < nb; i++) {
                int r = rb + i, row = i * v, t = tg[tgo + r];
                float st = sc[row + t] + bd[bo + t];
                int from = off[offo + r], to = off[offo + r + 1];
                for (int e = from; e < to; e++) {
                    int j = li[lio + e];
                    if (j >= 0 && j < v) listed[j] = true;
                }
                int rank = 0;
                for (int j = 0; j < v; j++) {
                    if (j == t || listed[j]) continue;
                    if (!(sc[row + j] + bd[bo + j] < st)) rank++;
                }
                for (int e = from; e < to; e++) {
                    int j = li[lio + e];
                    if (j >= 0 && j < v) listed[j] = false;
                }
                rk[rko + r] = rank;
            }
        }
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
