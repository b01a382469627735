package dev.lstmrec.engine.model;

import java.util.List;

/**
 * A double-precision, loop-by-loop twin of {@link LstmNetwork}'s forward and loss, written from the model's equations
 * and nothing else, for finite-difference gradient checks. Dropout is a fixed mask given by the caller (the test draws
 * it as the network does), so the loss is a deterministic function of the parameters.
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

    /** Mean cross-entropy over the positions with a target ≥ 0, without dropout. */
    double meanLoss(double[] p, List<int[]> inputs, List<int[]> targets) {
        return meanLoss(p, inputs, targets, Mask.NONE);
    }

    /** Mean cross-entropy over the positions with a target ≥ 0, dropout applied as {@code mask} says. */
    double meanLoss(double[] p, List<int[]> inputs, List<int[]> targets, Mask mask) {
        int h = cfg.hiddenDim();
        double total = 0;
        int count = 0;
        for (int s = 0; s < inputs.size(); s++) {
            int[] seq = inputs.get(s);
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
            for (int t = 0; t < seq.length; t++) {
                int target = targets.get(s)[t];
                if (target < 0) continue;
                double[] logits = new double[cfg.numItems()];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < logits.length; j++) {
                    double v = w(p, "out.b", j);
                    for (int k = 0; k < h; k++) v += w(p, "out.w", j, k) * x[t][k];
                    logits[j] = v;
                    max = Math.max(max, v);
                }
                double sum = 0;
                for (double v : logits) sum += Math.exp(v - max);
                total += Math.log(sum) + max - logits[target];
                count++;
            }
        }
        return total / count;
    }
}
