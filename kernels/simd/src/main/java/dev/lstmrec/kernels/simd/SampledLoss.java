package dev.lstmrec.kernels.simd;

import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Arrays;

import static dev.lstmrec.kernels.simd.Heap.f;
import static dev.lstmrec.kernels.simd.Heap.i;
import static dev.lstmrec.kernels.simd.Heap.o;

/**
 * The sampled losses of {@code Backend.sampledSoftmaxCrossEntropy} and {@code Backend.bprMaxLoss}. The column terms
 * (bias - w·logQ) are folded once per call into a per-part array that also carries the masks: a padding column adds
 * -inf, and a row's accidental hits (found once per call with a small hash table of the rows' ids) are switched off in that
 * array just for the row, so the softmax itself is three vector passes like {@link SoftmaxLoss}. Napkin math: C exps,
 * 3 reads and 2 writes of C floats per row. Checked against ScalarBackend in the conformance suite.
 */
final class SampledLoss {
    private static final VectorSpecies<Float> S = Simd.F;
    private static final int L = Simd.L;

    private SampledLoss() {}

    /**
     * Per-call plan: for each row, the other columns carrying the row's own candidate id (CSR, columns ascending).
     * Only ids that are some row's target can be hits, so the rows' ids go into a small open-addressing table (rows
     * with one id chained) and one pass over the c columns looks each up: O(n + c + hits), where sorting all c ids
     * cost O(c log c) per call and was a quarter of a sampled step.
     */
    static final class Hits {
        int[] offsets = new int[1];
        int[] list = new int[0];
        private int[] slotId = new int[0], slotHead = new int[0]; // slotHead: first row with the id + 1, 0 = empty
        private int[] nextRow = new int[0], count = new int[0];
        private int mask, shift;

        /** The plan for the n rows of a call whose candidates (the first n being the rows' own) are given. */
        void build(IntTensor candidates, int n) {
            int[] ids = i(candidates);
            int io = o(candidates), c = candidates.size();
            int cap = Integer.highestOneBit(Math.max(1, n)) << 2; // load factor <= 1/2
            if (slotId.length < cap) {
                slotId = new int[cap];
                slotHead = new int[cap];
            }
            if (nextRow.length < n) {
                nextRow = new int[n];
                count = new int[n];
            }
            if (offsets.length < n + 1) offsets = new int[n + 1];
            mask = cap - 1;
            shift = Integer.numberOfLeadingZeros(cap) + 1; // the top log2(cap) bits of the product
            Arrays.fill(slotHead, 0, cap, 0);
            Arrays.fill(count, 0, n, 0);
            for (int r = n - 1; r >= 0; r--) { // backwards, so each chain lists its rows ascending
                int id = ids[io + r];
                if (id < 0) continue;
                int s = slot(id);
                nextRow[r] = slotHead[s] - 1;
                slotId[s] = id;
                slotHead[s] = r + 1;
            }
            for (int pass = 0; pass < 2; pass++) {
                if (pass == 1) {
                    offsets[0] = 0;
                    for (int r = 0; r < n; r++) offsets[r + 1] = offsets[r] + count[r];
                    if (list.length < offsets[n]) list = new int[offsets[n]];
                    Arrays.fill(count, 0, n, 0);
                }
                for (int j = 0; j < c; j++) {
                    int id = ids[io + j];
                    if (id < 0) continue;
                    for (int r = slotHead[slot(id)] - 1; r >= 0; r = nextRow[r]) {
                        if (r == j) continue;
                        if (pass == 0) count[r]++;
                        else list[offsets[r] + count[r]++] = j;
                    }
                }
            }
        }

        /** The id's slot: where it is, or the empty slot where it would go. */
        private int slot(int id) {
            int s = (id * 0x9E3779B9) >>> shift;
            while (slotHead[s] != 0 && slotId[s] != id) s = (s + 1) & mask;
            return s;
        }
    }

    /**
     * Scratch of one part: the column terms with masks folded in, their liveness, and dBias partial sums; and the
     * call's column inputs (bias, logQ and its weight, candidate ids) the terms were made from, which the row kernels
     * read and unmasking recomputes from.
     */
    static final class Part {
        float[] add = new float[0], live = new float[0], dBias = new float[0], tmp = new float[0], sg = new float[0];
        final double[] sums = new double[3];
        private float[] bd, qd;
        private int[] ids;
        private int bo, qo, io, c;
        private float w;

        void ensure(int n) {
            if (add.length < n) {
                add = new float[n];
                live = new float[n];
                dBias = new float[n];
                tmp = new float[n];
                sg = new float[n];
            }
        }

        /**
         * Takes the call's columns: term bias - w·logQ (logQ null: no correction), or -inf (dead) for padding
         * columns; clears the dBias partials.
         */
        void columns(Tensor bias, Tensor logQ, float logqWeight, IntTensor candidates) {
            bd = f(bias);
            bo = o(bias);
            qd = f(logQ);
            qo = o(logQ);
            w = logqWeight;
            ids = i(candidates);
            io = o(candidates);
            c = candidates.size();
            ensure(c);
            for (int j = 0; j < c; j++) {
                boolean pad = ids[io + j] < 0;
                add[j] = pad ? Float.NEGATIVE_INFINITY : term(j);
                live[j] = pad ? 0f : 1f;
            }
            Arrays.fill(dBias, 0, c, 0f);
        }

        private float term(int j) {
            return bd[bo + j] - (qd == null ? 0f : w * qd[qo + j]);
        }

        /** Switches off row r's accidental hits (other columns carrying its id). */
        void maskHits(Hits h, int r) {
            for (int e = h.offsets[r]; e < h.offsets[r + 1]; e++) {
                int j = h.list[e];
                add[j] = Float.NEGATIVE_INFINITY;
                live[j] = 0f;
            }
        }

        /** Switches row r's accidental hits back on, with the terms {@link #columns} gave them. */
        void unmaskHits(Hits h, int r) {
            for (int e = h.offsets[r]; e < h.offsets[r + 1]; e++) {
                int j = h.list[e];
                add[j] = term(j);
                live[j] = 1f;
            }
        }
    }

    /** Sampled softmax rows [r0, r1) over the part's columns; returns their summed loss, dBias partials in the part. */
    static double softmaxRows(Part p, Hits h, Tensor dLogits, Tensor logits, float gradScale, int r0, int r1) {
        float[] dd = f(dLogits), ld = f(logits);
        int doff = o(dLogits), lo = o(logits);
        int[] ids = p.ids;
        int io = p.io, c = p.c;
        double total = 0;
        int bound = S.loopBound(c);
        float[] add = p.add, live = p.live, db = p.dBias;
        for (int r = r0; r < r1; r++) {
            int src = lo + r * c, dst = doff + r * c;
            if (ids[io + r] < 0) {
                Arrays.fill(dd, dst, dst + c, 0f);
                continue;
            }
            p.maskHits(h, r);
            FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            int j = 0;
            for (; j < bound; j += L) mv = mv.max(FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j)));
            float max = mv.reduceLanes(VectorOperators.MAX);
            for (; j < c; j++) max = Math.max(max, ld[src + j] + add[j]);
            float xr = ld[src + r] + add[r];
            FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
            j = 0;
            for (; j < bound; j += L) {
                FloatVector x = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j));
                FloatVector e = VMath.exp(x.sub(mx)).mul(FloatVector.fromArray(S, live, j));
                e.intoArray(dd, dst + j);
                acc = acc.add(e);
            }
            double sum = acc.reduceLanes(VectorOperators.ADD);
            for (; j < c; j++) {
                float e = live[j] == 0f ? 0f : (float) Math.exp(ld[src + j] + add[j] - max);
                dd[dst + j] = e;
                sum += e;
            }
            total += Math.log(sum) + max - xr;
            SoftmaxLoss.scaleIntoBias(dd, dst, db, c, (float) (gradScale / sum));
            dd[dst + r] -= gradScale;
            db[r] -= gradScale;
            p.unmaskHits(h, r);
        }
        return total;
    }

    /**
     * BPR-max rows [r0, r1) (see {@code Backend.bprMaxLoss}) in four vector passes per row: max and exp of the
     * negatives' softmax, the sigmoid terms (each exp in its own method: C2 inlines one exp site per method), the
     * gradient, over the part's columns (taken without a logQ term). Returns the rows' summed loss.
     */
    static double bprMaxRows(Part p, Hits h, Tensor dLogits, Tensor logits, float bpreg, float gradScale, int r0, int r1) {
        float[] dd = f(dLogits), ld = f(logits), bd = p.bd;
        int doff = o(dLogits), lo = o(logits), bo = p.bo;
        int[] ids = p.ids;
        int io = p.io, c = p.c;
        double total = 0;
        float[] add = p.add, live = p.live, db = p.dBias;
        for (int r = r0; r < r1; r++) {
            int src = lo + r * c, dst = doff + r * c;
            if (ids[io + r] < 0) {
                Arrays.fill(dd, dst, dst + c, 0f);
                continue;
            }
            p.maskHits(h, r);
            float s = ld[src + r] + bd[bo + r];
            // The row's own column is the positive, not a negative: out of the softmax for this row.
            float keepAdd = add[r], keepLive = live[r];
            add[r] = Float.NEGATIVE_INFINITY;
            live[r] = 0f;
            float max = maxPlus(ld, src, add, c);
            if (max == Float.NEGATIVE_INFINITY) { // no negative left: the row is masked
                Arrays.fill(dd, dst, dst + c, 0f);
            } else {
                double e = expInto(p.tmp, ld, src, add, live, c, max);
                sigmoidTerms(p, ld, src, bd, bo, c, s, (float) (1.0 / e));
                double sig = p.sums[0], reg = p.sums[1], curv = p.sums[2], a = sig + 1e-24;
                total += -Math.log(a) + bpreg * reg;
                gradient(p, dd, dst, ld, src, bd, bo, db, c, (float) (1.0 / e), (float) sig, (float) reg,
                        (float) (gradScale / a), bpreg * gradScale);
                float gr = (float) (gradScale * (-curv / a));
                dd[dst + r] = gr;
                db[r] += gr;
            }
            add[r] = keepAdd;
            live[r] = keepLive;
            p.unmaskHits(h, r);
        }
        return total;
    }

    /** max_j (x[j] + add[j]). */
    private static float maxPlus(float[] ld, int src, float[] add, int c) {
        int bound = S.loopBound(c), j = 0;
        FloatVector mv = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; j < bound; j += L) mv = mv.max(FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j)));
        float max = mv.reduceLanes(VectorOperators.MAX);
        for (; j < c; j++) max = Math.max(max, ld[src + j] + add[j]);
        return max;
    }

    /** ex[j] = live[j] · exp(x[j] + add[j] - max); returns Σ ex. */
    private static double expInto(float[] ex, float[] ld, int src, float[] add, float[] live, int c, float max) {
        int bound = S.loopBound(c), j = 0;
        FloatVector mx = FloatVector.broadcast(S, max), acc = FloatVector.zero(S);
        for (; j < bound; j += L) {
            FloatVector x = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, add, j));
            FloatVector e = VMath.exp(x.sub(mx)).mul(FloatVector.fromArray(S, live, j));
            e.intoArray(ex, j);
            acc = acc.add(e);
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; j < c; j++) {
            float e = live[j] == 0f ? 0f : (float) Math.exp(ld[src + j] + add[j] - max);
            ex[j] = e;
            sum += e;
        }
        return sum;
    }

    /**
     * With q = ex / E and z = x + bias: sg[j] = sigmoid(s - z) into p.sg, and p.sums = {Σ q·sg, Σ q·z², Σ q·sg(1-sg)}.
     * Dead columns have q = 0 and add nothing (z stays finite: the bias, not the -inf mask, is added).
     */
    private static void sigmoidTerms(Part p, float[] ld, int src, float[] bd, int bo, int c, float s, float invE) {
        float[] ex = p.tmp, sgs = p.sg;
        int bound = S.loopBound(c), j = 0;
        FloatVector sv = FloatVector.broadcast(S, s), inv = FloatVector.broadcast(S, invE), one = FloatVector.broadcast(S, 1f);
        FloatVector aSig = FloatVector.zero(S), aReg = FloatVector.zero(S), aCurv = FloatVector.zero(S);
        for (; j < bound; j += L) {
            FloatVector z = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, bd, bo + j));
            FloatVector q = FloatVector.fromArray(S, ex, j).mul(inv);
            FloatVector sg = one.div(VMath.exp(z.sub(sv)).add(one));
            sg.intoArray(sgs, j);
            FloatVector qs = q.mul(sg);
            aSig = aSig.add(qs);
            aReg = aReg.add(q.mul(z).mul(z));
            aCurv = aCurv.add(qs.mul(one.sub(sg)));
        }
        double sig = aSig.reduceLanes(VectorOperators.ADD), reg = aReg.reduceLanes(VectorOperators.ADD);
        double curv = aCurv.reduceLanes(VectorOperators.ADD);
        for (; j < c; j++) {
            float z = ld[src + j] + bd[bo + j], q = ex[j] * invE, sg = (float) (1.0 / (1.0 + Math.exp(z - s)));
            sgs[j] = sg;
            sig += q * sg;
            reg += q * z * z;
            curv += q * sg * (1f - sg);
        }
        p.sums[0] = sig;
        p.sums[1] = reg;
        p.sums[2] = curv;
    }

    /** d[j] = -q(sg² - S)·gs/a + λ·gs·q(z² - R + 2z), added into dBias too (the positive's column is set after). */
    private static void gradient(Part p, float[] dd, int dst, float[] ld, int src, float[] bd, int bo, float[] db, int c,
                                 float invE, float sig, float reg, float gsOverA, float regScale) {
        float[] ex = p.tmp, sgs = p.sg;
        int bound = S.loopBound(c), j = 0;
        FloatVector inv = FloatVector.broadcast(S, invE), sv = FloatVector.broadcast(S, sig), rv = FloatVector.broadcast(S, reg);
        FloatVector ga = FloatVector.broadcast(S, -gsOverA), rs = FloatVector.broadcast(S, regScale);
        for (; j < bound; j += L) {
            FloatVector z = FloatVector.fromArray(S, ld, src + j).add(FloatVector.fromArray(S, bd, bo + j));
            FloatVector q = FloatVector.fromArray(S, ex, j).mul(inv), sg = FloatVector.fromArray(S, sgs, j);
            FloatVector g = q.mul(sg.mul(sg).sub(sv)).mul(ga).add(q.mul(z.mul(z).sub(rv).add(z.mul(2f))).mul(rs));
            g.intoArray(dd, dst + j);
            g.add(FloatVector.fromArray(S, db, j)).intoArray(db, j);
        }
        for (; j < c; j++) {
            float z = ld[src + j] + bd[bo + j], q = ex[j] * invE, sg = sgs[j];
            float g = -gsOverA * q * (sg * sg - sig) + regScale * q * (z * z - reg + 2f * z);
            dd[dst + j] = g;
            db[j] += g;
        }
    }
}
