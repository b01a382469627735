package dev.lstmrec.engine.model;

import java.util.List;

/**
 * A double-precision, loop-by-loop twin of {@link LstmNetwork}'s forward and loss, written from the model's equations
 * and nothing else, for finite-difference gradient checks. Dropout is a fixed mask given by the caller (the test draws
 * it as the network does), so the loss is a deterministic function of the parameters. Also the sampled losses
 * (sampled softmax with logQ, BPR-max), from their definitions.
 */
final class DoubleNetwork {
    /**
     * The dropout factor (0 or 1/(1-p)) of element {@code col} of sequence {@code seq} at step {@code t} at a dropout
     * site: 0 is the embedding output, l + 1 the output of LSTM layer l.
     */
    interface Mask {
        double factor(int site, int seq, int t, int col);

        Mask NONE = (site, seq, t, col) -> 1.0;
    }

    /** The output columns left out of the softmax of sequence {@code seq} at step {@code t} (may repeat). */
    interface Excluded {
        int[] columns(int seq, int t);

        Excluded NONE = (seq, t) -> new int[0];
    }

    private final ModelConfig cfg;
    private final ParameterLayout layout;

    DoubleNetwork(ModelConfig cfg) {
        this.cfg = cfg;
        this.layout = new ParameterLayout(cfg);
    }

    private double w(double[] p, String name, int... idx) {
        ParameterLayout.Entry e = layout.entry(name);
        int flat = 0;
        for (int d = 0; d < idx.length; d++) flat = flat * e.shape()[d] + idx[d];
        return p[(int) e.offset() + flat];
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /** The last layer's output at every step of sequence {@code s}, dropout applied as {@code mask} says. */
    private double[][] top(double[] p, int[] seq, int s, Mask mask) {
        int h = cfg.hiddenDim();
        double[][] x = new double[seq.length][];
        for (int t = 0; t < seq.length; t++) {
            x[t] = new double[cfg.embeddingDim()];
            for (int j = 0; j < cfg.embeddingDim(); j++) x[t][j] = w(p, "embedding", seq[t], j) * mask.factor(0, s, t, j);
        }
        for (int l = 0; l < cfg.layers(); l++) {
            String wi = ParameterLayout.layerName(l, "w_ih"), wh = ParameterLayout.layerName(l, "w_hh"), b = ParameterLayout.layerName(l, "bias");
            double[] hPrev = new double[h], cPrev = new double[h];
            double[][] out = new double[seq.length][];
            for (int t = 0; t < seq.length; t++) {
                double[] g = new double[4 * h];
                for (int r = 0; r < 4 * h; r++) {
                    double v = w(p, b, r);
                    for (int k = 0; k < x[t].length; k++) v += w(p, wi, r, k) * x[t][k];
                    for (int k = 0; k < h; k++) v += w(p, wh, r, k) * hPrev[k];
                    g[r] = v;
                }
                double[] c = new double[h], hh = new double[h];
                for (int j = 0; j < h; j++) {
                    double i = sigmoid(g[j]), f = sigmoid(g[h + j]), gg = Math.tanh(g[2 * h + j]), o = sigmoid(g[3 * h + j]);
                    c[j] = f * cPrev[j] + i * gg;
                    hh[j] = o * Math.tanh(c[j]);
                }
                // The recurrence reads the raw output; dropout applies only to what the layer above sees.
                out[t] = new double[h];
                for (int j = 0; j < h; j++) out[t][j] = hh[j] * mask.factor(l + 1, s, t, j);
                hPrev = hh;
                cPrev = c;
            }
            x = out;
        }
        return x;
    }

    /** Score of output row j: out.w[j] · x + out.b[j] (tied: embedding row j + 1 instead of out.w[j]). */
    private double score(double[] p, int j, double[] x) {
        double v = w(p, "out.b", j);
        for (int k = 0; k < cfg.hiddenDim(); k++) v += (cfg.tied() ? w(p, "embedding", j + 1, k) : w(p, "out.w", j, k)) * x[k];
        return v;
    }

    /** Mean cross-entropy over the positions with a target ≥ 0, without dropout. */
    double meanLoss(double[] p, List<int[]> inputs, List<int[]> targets) {
        return meanLoss(p, inputs, targets, Mask.NONE);
    }

    /** Mean cross-entropy over the positions with a target ≥ 0, dropout applied as {@code mask} says. */
    double meanLoss(double[] p, List<int[]> inputs, List<int[]> targets, Mask mask) {
        return meanLoss(p, inputs, targets, mask, Excluded.NONE);
    }

    /**
     * Mean cross-entropy over the positions with a target ≥ 0, dropout applied as {@code mask} says, each softmax taken
     * over the columns {@code excluded} does not list.
     */
    double meanLoss(double[] p, List<int[]> inputs, List<int[]> targets, Mask mask, Excluded excluded) {
        double total = 0;
        int count = 0;
        for (int s = 0; s < inputs.size(); s++) {
            double[][] x = top(p, inputs.get(s), s, mask);
            for (int t = 0; t < x.length; t++) {
                int target = targets.get(s)[t];
                if (target < 0) continue;
                double[] logits = new double[cfg.numItems()];
                boolean[] out = new boolean[cfg.numItems()];
                for (int j : excluded.columns(s, t)) out[j] = true;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < logits.length; j++) {
                    logits[j] = score(p, j, x[t]);
                    if (!out[j]) max = Math.max(max, logits[j]);
                }
                double sum = 0;
                for (int j = 0; j < logits.length; j++) if (!out[j]) sum += Math.exp(logits[j] - max);
                total += Math.log(sum) + max - logits[target];
                count++;
            }
        }
        return total / count;
    }

    /**
     * Mean sampled loss, from its definition: at each time step t the sequences still running (longest first, ties in
     * input order) form a group scored against [their targets at t] ++ negatives; row r's positive is column r, other
     * columns with the same item are masked. Softmax: z = score - logq·logQ (logQ of a target column from
     * {@code logQTarget}, of a negative from {@code logQNeg}); BPR-max: GRU4Rec's formula with regulariser bpreg.
     */
    double meanSampledLoss(double[] p, List<int[]> inputs, List<int[]> targets, int[] negatives, double[] logQTarget,
                           double[] logQNeg, double logq, boolean bpr, double bpreg) {
        int b = inputs.size(), steps = 0;
        double[][][] x = new double[b][][];
        Integer[] order = new Integer[b];
        for (int s = 0; s < b; s++) {
            x[s] = top(p, inputs.get(s), s, Mask.NONE);
            order[s] = s;
            steps = Math.max(steps, x[s].length);
        }
        java.util.Arrays.sort(order, (u, v) -> Integer.compare(x[v].length, x[u].length));
        double total = 0;
        int count = 0;
        for (int t = 0; t < steps; t++) {
            int n = 0;
            while (n < b && x[order[n]].length > t) n++;
            int c = n + negatives.length;
            int[] cand = new int[c];
            double[] q = new double[c];
            for (int r = 0; r < n; r++) {
                cand[r] = targets.get(order[r])[t];
                q[r] = cand[r] < 0 ? 0 : logQTarget[cand[r]];
            }
            for (int k = 0; k < negatives.length; k++) {
                cand[n + k] = negatives[k];
                q[n + k] = logQNeg[negatives[k]];
            }
            for (int r = 0; r < n; r++) {
                if (cand[r] < 0) continue;
                double[] z = new double[c];
                boolean[] live = new boolean[c];
                for (int j = 0; j < c; j++) {
                    live[j] = cand[j] >= 0 && (j == r || cand[j] != cand[r]);
                    if (live[j]) z[j] = score(p, cand[j], x[order[r]][t]) - (bpr ? 0 : logq * q[j]);
                }
                count++;
                if (!bpr) {
                    double sum = 0;
                    for (int j = 0; j < c; j++) if (live[j]) sum += Math.exp(z[j]);
                    total += Math.log(sum) - z[r];
                } else {
                    double e = 0;
                    for (int j = 0; j < c; j++) if (live[j] && j != r) e += Math.exp(z[j]);
                    if (e == 0) continue;
                    double sig = 0, sq = 0;
                    for (int j = 0; j < c; j++) {
                        if (!live[j] || j == r) continue;
                        double qj = Math.exp(z[j]) / e;
                        sig += qj / (1 + Math.exp(z[j] - z[r]));
                        sq += qj * z[j] * z[j];
                    }
                    total += -Math.log(sig + 1e-24) + bpreg * sq;
                }
            }
        }
        return total / count;
    }
}
