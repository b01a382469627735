package dev.lstmrec.kernels.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM {@code C = alpha·op(A)·op(B) + beta·C} on row-major float arrays, BLIS-style: op(B) is packed into
 * KC×NR micro-panels and op(A) (scaled by alpha) into MR×KC micro-panels, both zero-padded so the register-tiled
 * micro-kernel (MR = 8 or 6 rows × 2 vectors of C, FMA into MR·2 accumulators) never needs a mask; edge tiles go through a
 * small tile buffer. Loops: jc (NC) → pc (KC, pack B) → ic (MC, pack A) → jr (NR) → ir (MR).
 * Blocks: KC = 512 (a KC×NR panel of B is 64 KiB at 512 bits, L2-resident), MC = 96 rows of A (192 KiB, L2),
 * NC = 64·NR columns (4 MiB of packed B at 512 bits, L3). When C has at most 4·NR columns the packed copy of A would
 * be reused only a few times, so the "direct" kernels read op(A) in place (both layouts) and only B is packed.
 * Threads split C into column or row ranges (the longer side, in tiles) above PARALLEL_FLOPS; each has its own
 * workspace. Napkin math: per k step the kernel does 2·MR FMAs for 2 vector loads + MR broadcasts. Checked against
 * ScalarBackend.gemm in SimdGemmTest (all transposes, tails, alpha/beta, threads 1 vs 2).
 */
final class Gemm {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;
    /** Micro-tile height: 8 rows (16 accumulators) when the CPU has AVX-512's 32 registers, else 6 (12). */
    static final int MR = Simd.MAX_BITS >= 512 ? 8 : 6;
    static final int NR = 2 * L;
    static final int KC = 512;
    static final int MC = 96;
    static final int NC = 64 * NR;
    /** Widest C (in columns) for which op(A) is read in place instead of packed. */
    static final int DIRECT_MAX_N = 4 * NR;
    /** Below this many FLOPs the threads' wake-up costs more than the split gains. */
    static final long PARALLEL_FLOPS = 3_000_000L;
    /** Up to this many rows of A, a transposed-B product is computed as row dot products without packing B. */
    static final int DOT_ROWS = 2;

    /** Per-thread packing buffers, grown to the largest blocks seen and then reused (at most MC·KC and KC·NC). */
    static final class Workspace {
        float[] a = new float[0];
        float[] b = new float[0];
        final float[] tile = new float[MR * NR];

        void ensure(int aFloats, int bFloats) {
            if (a.length < aFloats) a = new float[aFloats];
            if (b.length < bFloats) b = new float[bFloats];
        }
    }

    /** The operands of one call, kept in fields so the parallel task needs no per-call allocation. */
    private final Workspace[] workspaces;
    private final WorkerPool pool;
    private final WorkerPool.Task task = this::runPart;
    private boolean transA, transB;
    private float[] a, b, c;
    private int ao, lda, bo, ldb, co, ldc, m, n, k, parts;
    private boolean splitN;
    private float alpha, beta;

    Gemm(WorkerPool pool) {
        this.pool = pool;
        workspaces = new Workspace[pool.size()];
        for (int i = 0; i < workspaces.length; i++) workspaces[i] = new Workspace();
    }

    Workspace workspace(int part) {
        return workspaces[part];
    }

    /** Multi-threaded entry: splits C along its longer side (in tiles) when the product is large enough. */
    void gemm(boolean transA, float[] a, int ao, int lda, boolean transB, float[] b, int bo, int ldb,
              float[] c, int co, int ldc, int m, int n, int k, float alpha, float beta) {
        long flops = 2L * m * n * k;
        int tilesM = (m + MR - 1) / MR, tilesN = (n + NR - 1) / NR;
        int p = pool.size();
        boolean byN = tilesN >= tilesM;
        p = (int) Math.min(p, Math.min(byN ? tilesN : tilesM, Math.max(1, flops / PARALLEL_FLOPS)));
        if (p <= 1) {
            compute(workspaces[0], transA, a, ao, lda, transB, b, bo, ldb, c, co, ldc, 0, m, 0, n, k, alpha, beta);
            return;
        }
        this.transA = transA; this.a = a; this.ao = ao; this.lda = lda;
        this.transB = transB; this.b = b; this.bo = bo; this.ldb = ldb;
        this.c = c; this.co = co; this.ldc = ldc; this.m = m; this.n = n; this.k = k;
        this.alpha = alpha; this.beta = beta; this.parts = p; this.splitN = byN;
        try {
            pool.run(p, task);
        } finally {
            this.a = null; this.b = null; this.c = null;
        }
    }

    private void runPart(int part) {
        int tiles = splitN ? (n + NR - 1) / NR : (m + MR - 1) / MR, unit = splitN ? NR : MR, extent = splitN ? n : m;
        int from = Math.min(extent, (int) ((long) tiles * part / parts) * unit);
        int to = Math.min(extent, (int) ((long) tiles * (part + 1) / parts) * unit);
        if (from >= to) return;
        if (splitN) compute(workspaces[part], transA, a, ao, lda, transB, b, bo, ldb, c, co, ldc, 0, m, from, to, k, alpha, beta);
        else compute(workspaces[part], transA, a, ao, lda, transB, b, bo, ldb, c, co, ldc, from, to, 0, n, k, alpha, beta);
    }

    /**
     * Single-threaded SGEMM on the block C[m0..m1, n0..n1). op(A) is [M, K] (stored [K, M] when transA) with
     * row stride lda; op(B) is [K, N] (stored [N, K] when transB) with row stride ldb.
     */
    static void compute(Workspace ws, boolean transA, float[] a, int ao, int lda, boolean transB, float[] b, int bo,
                        int ldb, float[] c, int co, int ldc, int m0, int m1, int n0, int n1, int k, float alpha,
                        float beta) {
        if (m1 <= m0 || n1 <= n0) return;
        if (k == 0 || alpha == 0f) {
            scaleC(c, co, ldc, m0, m1, n0, n1, beta);
            return;
        }
        // General beta is applied once up front so the kernel only ever overwrites or accumulates.
        if (beta != 0f && beta != 1f) scaleC(c, co, ldc, m0, m1, n0, n1, beta);
        if (!transA && transB && m1 - m0 <= DOT_ROWS) {
            rowDots(a, ao, lda, b, bo, ldb, c, co, ldc, m0, m1, n0, n1, k, alpha, beta != 0f);
            return;
        }
        // With few NR panels the packed copy of A is barely reused; the kernel then reads row-major A in place.
        boolean direct = n1 - n0 <= DIRECT_MAX_N;
        int kcMax = Math.min(KC, k), ncMax = Math.min(NC, n1 - n0), mcMax = Math.min(MC, m1 - m0);
        ws.ensure(roundUp(mcMax, MR) * kcMax, kcMax * roundUp(ncMax, NR));
        for (int jc = n0; jc < n1; jc += NC) {
            int nc = Math.min(NC, n1 - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                boolean accumulate = pc > 0 || beta != 0f;
                packB(ws.b, transB, b, bo, ldb, pc, kc, jc, nc);
                for (int ic = m0; ic < m1; ic += MC) {
                    int mc = Math.min(MC, m1 - ic), full = direct ? mc - mc % MR : 0;
                    // Direct mode packs only the last, partial micro-panel (at offset 0); packed mode packs all.
                    packA(ws.a, transA, a, ao, lda, ic + full, mc - full, pc, kc, alpha);
                    for (int jr = 0; jr < nc; jr += NR) {
                        int nr = Math.min(NR, nc - jr);
                        for (int ir = 0; ir < mc; ir += MR) {
                            int mr = Math.min(MR, mc - ir);
                            int cIdx = co + (ic + ir) * ldc + jc + jr;
                            boolean edge = mr < MR || nr < NR;
                            float[] dst = edge ? ws.tile : c;
                            int di = edge ? 0 : cIdx, ldd = edge ? NR : ldc;
                            boolean acc = accumulate && !edge;
                            if (ir < full) {
                                int ai = transA ? ao + pc * lda + ic + ir : ao + (ic + ir) * lda + pc;
                                direct(transA, kc, a, ai, lda, ws.b, jr * kc, dst, di, ldd, alpha, acc);
                            } else {
                                kernel(kc, ws.a, (ir - full) * kc, ws.b, jr * kc, dst, di, ldd, acc);
                            }
                            if (edge) mergeTile(ws.tile, c, cIdx, ldc, mr, nr, accumulate);
                        }
                    }
                }
            }
        }
    }

    private static void kernel(int kc, float[] pa, int ai, float[] pb, int bi, float[] c, int ci, int ldc,
                               boolean accumulate) {
        if (MR == 8) kernel8(kc, pa, ai, pb, bi, c, ci, ldc, accumulate);
        else kernel6(kc, pa, ai, pb, bi, c, ci, ldc, accumulate);
    }

    static void direct(boolean transA, int kc, float[] a, int ai, int lda, float[] pb, int bi, float[] c,
                               int ci, int ldc, float alpha, boolean accumulate) {
        if (transA) {
            if (MR == 8) directT8(kc, a, ai, lda, pb, bi, c, ci, ldc, alpha, accumulate);
            else directT6(kc, a, ai, lda, pb, bi, c, ci, ldc, alpha, accumulate);
        } else {
            if (MR == 8) direct8(kc, a, ai, lda, pb, bi, c, ci, ldc, alpha, accumulate);
            else direct6(kc, a, ai, lda, pb, bi, c, ci, ldc, alpha, accumulate);
        }
    }

    private static int roundUp(int x, int unit) {
        return (x + unit - 1) / unit * unit;
    }

    /**
     * C[i][j] (+)= alpha * A[i]·B[j] for a few rows of A against row-major B ({@code transB}: both operands read along
     * contiguous rows): one or two queries' recurrent step against W_hh, where packing B would copy all of it (G×H
     * floats, gathered) to read it once.
     */
    private static void rowDots(float[] a, int ao, int lda, float[] b, int bo, int ldb, float[] c, int co, int ldc, int m0,
                                int m1, int n0, int n1, int k, float alpha, boolean accumulate) {
        for (int i = m0; i < m1; i++) {
            int ai = ao + i * lda, ci = co + i * ldc;
            for (int j = n0; j < n1; j++) {
                float s = alpha * Scoring.dot(a, ai, b, bo + j * ldb, k);
                c[ci + j] = accumulate ? c[ci + j] + s : s;
            }
        }
    }

    private static void scaleC(float[] c, int co, int ldc, int m0, int m1, int n0, int n1, float beta) {
        for (int i = m0; i < m1; i++) {
            int row = co + i * ldc;
            for (int j = n0; j < n1; j++) c[row + j] = beta == 0f ? 0f : beta * c[row + j];
        }
    }

    private static void mergeTile(float[] tile, float[] c, int cIdx, int ldc, int mr, int nr, boolean accumulate) {
        for (int i = 0; i < mr; i++) {
            int row = cIdx + i * ldc, t = i * NR;
            if (!accumulate) System.arraycopy(tile, t, c, row, nr);
            else for (int j = 0; j < nr; j++) c[row + j] += tile[t + j];
        }
    }

    /** Packs op(B)[pc..pc+kc, jc..jc+nc) as NR-wide micro-panels, p-major inside each, zero-padded to NR. */
    static void packB(float[] dst, boolean transB, float[] b, int bo, int ldb, int pc, int kc, int jc, int nc) {
        for (int jr = 0; jr < nc; jr += NR) {
            int nr = Math.min(NR, nc - jr), base = jr * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bo + (pc + p) * ldb + jc + jr, d = base + p * NR;
                    if (nr == NR) {
                        FloatVector.fromArray(S, b, src).intoArray(dst, d);
                        FloatVector.fromArray(S, b, src + L).intoArray(dst, d + L);
                    } else {
                        System.arraycopy(b, src, dst, d, nr);
                        for (int j = nr; j < NR; j++) dst[d + j] = 0f;
                    }
                }
            } else if (nr == NR) {
                // Stored [N, K]: lane j of panel row p is b[(jc+jr+j)·ldb + pc + p]. Two gathers per p write the
                // panel contiguously (the scalar loop below costs as much as a skinny GEMM's FMAs).
                int[] lanes = gatherLanes(ldb);
                int src = bo + (jc + jr) * ldb + pc, d = base;
                for (int p = 0; p < kc; p++, d += NR) {
                    FloatVector.fromArray(S, b, src + p, lanes, 0).intoArray(dst, d);
                    FloatVector.fromArray(S, b, src + p, lanes, L).intoArray(dst, d + L);
                }
            } else {
                for (int j = 0; j < NR; j++) {
                    if (j < nr) {
                        int src = bo + (jc + jr + j) * ldb + pc;
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = b[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) dst[base + p * NR + j] = 0f;
                    }
                }
            }
        }
    }

    /** Row offsets j·ldb for j < NR, for the transposed pack's gathers; cached per thread for the last ldb seen. */
    private static final ThreadLocal<int[]> GATHER_LANES = ThreadLocal.withInitial(() -> new int[NR + 1]);

    private static int[] gatherLanes(int ldb) {
        int[] lanes = GATHER_LANES.get();
        if (lanes[NR] != ldb) { // slot NR remembers the stride the offsets are for
            for (int j = 0; j < NR; j++) lanes[j] = j * ldb;
            lanes[NR] = ldb;
        }
        return lanes;
    }

    /** Packs alpha·op(A)[ic..ic+mc, pc..pc+kc) as MR-tall micro-panels, p-major inside each, zero-padded to MR. */
    private static void packA(float[] dst, boolean transA, float[] a, int ao, int lda, int ic, int mc, int pc, int kc,
                              float alpha) {
        if (transA) {
            // Aᵀ stored [K, M]: walk p outermost so each step reads mc contiguous floats.
            for (int p = 0; p < kc; p++) {
                int src = ao + (pc + p) * lda + ic;
                for (int ir = 0; ir < mc; ir += MR) {
                    int mr = Math.min(MR, mc - ir), d = ir * kc + p * MR;
                    for (int r = 0; r < mr; r++) dst[d + r] = alpha * a[src + ir + r];
                    for (int r = mr; r < MR; r++) dst[d + r] = 0f;
                }
            }
            return;
        }
        for (int ir = 0; ir < mc; ir += MR) {
            int mr = Math.min(MR, mc - ir), base = ir * kc;
            for (int r = 0; r < MR; r++) {
                if (r < mr) {
                    int src = ao + (ic + ir + r) * lda + pc;
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = alpha * a[src + p];
                } else {
                    for (int p = 0; p < kc; p++) dst[base + p * MR + r] = 0f;
                }
            }
        }
    }

    /** C[6 × 2L] (+)= packedA·packedB over kc steps; C is read only when {@code accumulate}. */
    private static void kernel6(int kc, float[] pa, int ai, float[] pb, int bi, float[] c, int ci, int ldc,
                                boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            ai += 6;
            bi += NR;
        }
        // Stores written out in full: a helper method per row exceeds C2's inlining budget and boxes vectors.
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /** C[8 × 2L] (+)= packedA·packedB over kc steps; C is read only when {@code accumulate}. */
    private static void kernel8(int kc, float[] pa, int ai, float[] pb, int bi, float[] c, int ci, int ldc,
                                boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        FloatVector c60 = FloatVector.broadcast(S, 0f), c61 = FloatVector.broadcast(S, 0f);
        FloatVector c70 = FloatVector.broadcast(S, 0f), c71 = FloatVector.broadcast(S, 0f);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, pa[ai + 0]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, pa[ai + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, pa[ai + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, pa[ai + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, pa[ai + 4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, pa[ai + 5]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, pa[ai + 6]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, pa[ai + 7]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
            ai += 8;
            bi += NR;
        }
        // Stores written out in full: a helper method per row exceeds C2's inlining budget and boxes vectors.
        if (accumulate) {
            c00 = c00.add(FloatVector.fromArray(S, c, ci));
            c01 = c01.add(FloatVector.fromArray(S, c, ci + L));
            c10 = c10.add(FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.add(FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.add(FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.add(FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.add(FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.add(FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.add(FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.add(FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.add(FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.add(FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.add(FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.add(FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.add(FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.add(FloatVector.fromArray(S, c, ci + 7 * ldc + L));
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }
    /** As kernel6, reading op(A) = A unpacked: row r of the tile is a[ai + r·lda + p]; the sum is scaled by alpha. */
    private static void direct6(int kc, float[] a, int ai, int lda, float[] pb, int bi, float[] c, int ci,
                                int ldc, float alpha, boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        int a0 = ai; int a1 = ai + lda; int a2 = ai + 2 * lda; int a3 = ai + 3 * lda; int a4 = ai + 4 * lda; int a5 = ai + 5 * lda;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            bi += NR;
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        if (accumulate) {
            c00 = c00.fma(al, FloatVector.fromArray(S, c, ci));
            c01 = c01.fma(al, FloatVector.fromArray(S, c, ci + L));
            c10 = c10.fma(al, FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.fma(al, FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc + L));
        } else {
            c00 = c00.mul(al);
            c01 = c01.mul(al);
            c10 = c10.mul(al);
            c11 = c11.mul(al);
            c20 = c20.mul(al);
            c21 = c21.mul(al);
            c30 = c30.mul(al);
            c31 = c31.mul(al);
            c40 = c40.mul(al);
            c41 = c41.mul(al);
            c50 = c50.mul(al);
            c51 = c51.mul(al);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /** As kernel8, reading op(A) = A unpacked: row r of the tile is a[ai + r·lda + p]; the sum is scaled by alpha. */
    private static void direct8(int kc, float[] a, int ai, int lda, float[] pb, int bi, float[] c, int ci,
                                int ldc, float alpha, boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        FloatVector c60 = FloatVector.broadcast(S, 0f), c61 = FloatVector.broadcast(S, 0f);
        FloatVector c70 = FloatVector.broadcast(S, 0f), c71 = FloatVector.broadcast(S, 0f);
        int a0 = ai; int a1 = ai + lda; int a2 = ai + 2 * lda; int a3 = ai + 3 * lda; int a4 = ai + 4 * lda; int a5 = ai + 5 * lda; int a6 = ai + 6 * lda; int a7 = ai + 7 * lda;
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[a0 + p]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[a1 + p]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[a2 + p]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[a3 + p]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[a4 + p]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[a5 + p]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[a6 + p]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[a7 + p]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
            bi += NR;
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        if (accumulate) {
            c00 = c00.fma(al, FloatVector.fromArray(S, c, ci));
            c01 = c01.fma(al, FloatVector.fromArray(S, c, ci + L));
            c10 = c10.fma(al, FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.fma(al, FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.fma(al, FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.fma(al, FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.fma(al, FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.fma(al, FloatVector.fromArray(S, c, ci + 7 * ldc + L));
        } else {
            c00 = c00.mul(al);
            c01 = c01.mul(al);
            c10 = c10.mul(al);
            c11 = c11.mul(al);
            c20 = c20.mul(al);
            c21 = c21.mul(al);
            c30 = c30.mul(al);
            c31 = c31.mul(al);
            c40 = c40.mul(al);
            c41 = c41.mul(al);
            c50 = c50.mul(al);
            c51 = c51.mul(al);
            c60 = c60.mul(al);
            c61 = c61.mul(al);
            c70 = c70.mul(al);
            c71 = c71.mul(al);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }
    /** As direct6 for op(A) = Aᵀ read in place: row r of the tile at step p is a[ai + p·lda + r]. */
    private static void directT6(int kc, float[] a, int ai, int lda, float[] pb, int bi, float[] c, int ci,
                                 int ldc, float alpha, boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            ai += lda;
            bi += NR;
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        if (accumulate) {
            c00 = c00.fma(al, FloatVector.fromArray(S, c, ci));
            c01 = c01.fma(al, FloatVector.fromArray(S, c, ci + L));
            c10 = c10.fma(al, FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.fma(al, FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc + L));
        } else {
            c00 = c00.mul(al);
            c01 = c01.mul(al);
            c10 = c10.mul(al);
            c11 = c11.mul(al);
            c20 = c20.mul(al);
            c21 = c21.mul(al);
            c30 = c30.mul(al);
            c31 = c31.mul(al);
            c40 = c40.mul(al);
            c41 = c41.mul(al);
            c50 = c50.mul(al);
            c51 = c51.mul(al);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
    }

    /** As direct8 for op(A) = Aᵀ read in place: row r of the tile at step p is a[ai + p·lda + r]. */
    private static void directT8(int kc, float[] a, int ai, int lda, float[] pb, int bi, float[] c, int ci,
                                 int ldc, float alpha, boolean accumulate) {
        FloatVector c00 = FloatVector.broadcast(S, 0f), c01 = FloatVector.broadcast(S, 0f);
        FloatVector c10 = FloatVector.broadcast(S, 0f), c11 = FloatVector.broadcast(S, 0f);
        FloatVector c20 = FloatVector.broadcast(S, 0f), c21 = FloatVector.broadcast(S, 0f);
        FloatVector c30 = FloatVector.broadcast(S, 0f), c31 = FloatVector.broadcast(S, 0f);
        FloatVector c40 = FloatVector.broadcast(S, 0f), c41 = FloatVector.broadcast(S, 0f);
        FloatVector c50 = FloatVector.broadcast(S, 0f), c51 = FloatVector.broadcast(S, 0f);
        FloatVector c60 = FloatVector.broadcast(S, 0f), c61 = FloatVector.broadcast(S, 0f);
        FloatVector c70 = FloatVector.broadcast(S, 0f), c71 = FloatVector.broadcast(S, 0f);
        for (int p = 0; p < kc; p++) {
            FloatVector b0 = FloatVector.fromArray(S, pb, bi);
            FloatVector b1 = FloatVector.fromArray(S, pb, bi + L);
            FloatVector x0 = FloatVector.broadcast(S, a[ai + 0]);
            c00 = b0.fma(x0, c00);
            c01 = b1.fma(x0, c01);
            FloatVector x1 = FloatVector.broadcast(S, a[ai + 1]);
            c10 = b0.fma(x1, c10);
            c11 = b1.fma(x1, c11);
            FloatVector x2 = FloatVector.broadcast(S, a[ai + 2]);
            c20 = b0.fma(x2, c20);
            c21 = b1.fma(x2, c21);
            FloatVector x3 = FloatVector.broadcast(S, a[ai + 3]);
            c30 = b0.fma(x3, c30);
            c31 = b1.fma(x3, c31);
            FloatVector x4 = FloatVector.broadcast(S, a[ai + 4]);
            c40 = b0.fma(x4, c40);
            c41 = b1.fma(x4, c41);
            FloatVector x5 = FloatVector.broadcast(S, a[ai + 5]);
            c50 = b0.fma(x5, c50);
            c51 = b1.fma(x5, c51);
            FloatVector x6 = FloatVector.broadcast(S, a[ai + 6]);
            c60 = b0.fma(x6, c60);
            c61 = b1.fma(x6, c61);
            FloatVector x7 = FloatVector.broadcast(S, a[ai + 7]);
            c70 = b0.fma(x7, c70);
            c71 = b1.fma(x7, c71);
            ai += lda;
            bi += NR;
        }
        FloatVector al = FloatVector.broadcast(S, alpha);
        if (accumulate) {
            c00 = c00.fma(al, FloatVector.fromArray(S, c, ci));
            c01 = c01.fma(al, FloatVector.fromArray(S, c, ci + L));
            c10 = c10.fma(al, FloatVector.fromArray(S, c, ci + ldc));
            c11 = c11.fma(al, FloatVector.fromArray(S, c, ci + ldc + L));
            c20 = c20.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc));
            c21 = c21.fma(al, FloatVector.fromArray(S, c, ci + 2 * ldc + L));
            c30 = c30.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc));
            c31 = c31.fma(al, FloatVector.fromArray(S, c, ci + 3 * ldc + L));
            c40 = c40.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc));
            c41 = c41.fma(al, FloatVector.fromArray(S, c, ci + 4 * ldc + L));
            c50 = c50.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc));
            c51 = c51.fma(al, FloatVector.fromArray(S, c, ci + 5 * ldc + L));
            c60 = c60.fma(al, FloatVector.fromArray(S, c, ci + 6 * ldc));
            c61 = c61.fma(al, FloatVector.fromArray(S, c, ci + 6 * ldc + L));
            c70 = c70.fma(al, FloatVector.fromArray(S, c, ci + 7 * ldc));
            c71 = c71.fma(al, FloatVector.fromArray(S, c, ci + 7 * ldc + L));
        } else {
            c00 = c00.mul(al);
            c01 = c01.mul(al);
            c10 = c10.mul(al);
            c11 = c11.mul(al);
            c20 = c20.mul(al);
            c21 = c21.mul(al);
            c30 = c30.mul(al);
            c31 = c31.mul(al);
            c40 = c40.mul(al);
            c41 = c41.mul(al);
            c50 = c50.mul(al);
            c51 = c51.mul(al);
            c60 = c60.mul(al);
            c61 = c61.mul(al);
            c70 = c70.mul(al);
            c71 = c71.mul(al);
        }
        c00.intoArray(c, ci);
        c01.intoArray(c, ci + L);
        c10.intoArray(c, ci + ldc);
        c11.intoArray(c, ci + ldc + L);
        c20.intoArray(c, ci + 2 * ldc);
        c21.intoArray(c, ci + 2 * ldc + L);
        c30.intoArray(c, ci + 3 * ldc);
        c31.intoArray(c, ci + 3 * ldc + L);
        c40.intoArray(c, ci + 4 * ldc);
        c41.intoArray(c, ci + 4 * ldc + L);
        c50.intoArray(c, ci + 5 * ldc);
        c51.intoArray(c, ci + 5 * ldc + L);
        c60.intoArray(c, ci + 6 * ldc);
        c61.intoArray(c, ci + 6 * ldc + L);
        c70.intoArray(c, ci + 7 * ldc);
        c71.intoArray(c, ci + 7 * ldc + L);
    }
}
