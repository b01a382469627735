package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.conformance.RandomTensors;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static dev.lstmrec.engine.backend.conformance.Tolerances.*;
import static dev.lstmrec.engine.backend.scalar.DoubleReference.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sampled losses of the scalar oracle (sampled softmax with logQ correction, BPR-max with its regulariser) against
 * double-precision references written from their definitions, and their gradients (logits and bias) against central
 * finite differences of those references, with accidental hits, padding columns and a masked row in every case.
 */
class SampledLossGradientCheckTest {
    private final ScalarBackend b = new ScalarBackend();
    private final RandomTensors rnd = new RandomTensors(20261201);

    @AfterEach
    void close() {
        b.close();
    }

    /** Row r's column j takes part in its loss (j == r is its positive). */
    private static boolean live(int[] ids, int r, int j) {
        return ids[r] >= 0 && ids[j] >= 0 && (j == r || ids[j] != ids[r]);
    }

    static double sampledSoftmax(double[] logits, double[] bias, double[] logQ, int[] ids, int n, int c, double w) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            if (ids[r] < 0) continue;
            double sum = 0;
            for (int j = 0; j < c; j++) if (live(ids, r, j)) sum += Math.exp(logits[r * c + j] + bias[j] - w * logQ[j]);
            total += Math.log(sum) - (logits[r * c + r] + bias[r] - w * logQ[r]);
        }
        return total;
    }

    static double bprMax(double[] logits, double[] bias, int[] ids, int n, int c, double reg) {
        double total = 0;
        for (int r = 0; r < n; r++) {
            if (ids[r] < 0) continue;
            double s = logits[r * c + r] + bias[r], e = 0;
            for (int j = 0; j < c; j++) if (j != r && live(ids, r, j)) e += Math.exp(logits[r * c + j] + bias[j]);
            if (e == 0) continue;
            double sig = 0, sq = 0;
            for (int j = 0; j < c; j++) {
                if (j == r || !live(ids, r, j)) continue;
                double z = logits[r * c + j] + bias[j], q = Math.exp(z) / e;
                sig += q / (1 + Math.exp(-(s - z)));
                sq += q * z * z;
            }
            total += -Math.log(sig + 1e-24) + reg * sq;
        }
        return total;
    }

    private int[] ids(int n, int c) {
        int[] ids = rnd.ints(c, Math.max(2, c / 2));
        ids[c - 1] = ids[0];      // a sampled column hitting row 0's target
        if (n > 2) ids[2] = ids[1]; // two rows with the same target: in-batch accidental hits
        if (c > 5) ids[c - 2] = -1; // padding column
        if (n > 3) ids[3] = -1;     // masked row
        return ids;
    }

    @Test
    void sampledSoftmaxForwardAndGradientsIncludingLogQ() {
        for (int[] shape : new int[][] {{1, 1}, {2, 5}, {4, 9}, {5, 13}}) {
            int n = shape[0], c = shape[1];
            for (float w : new float[] {0f, 1f, 0.5f}) {
                float[] lf = rnd.nonZero(n * c, 2f), bf = rnd.nonZero(c), qf = rnd.uniform(c, -6f, 0f), db0 = rnd.nonZero(c);
                int[] ids = ids(n, c);
                double[] l = toDouble(lf), bias = toDouble(bf), q = toDouble(qf);
                Tensor logits = RandomTensors.tensor(b, lf, n, c), dLogits = b.allocate(n, c), dBias = RandomTensors.tensor(b, db0, c);
                Tensor loss = RandomTensors.tensor(b, new float[] {1f}, 1);
                b.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, RandomTensors.tensor(b, bf, c),
                        RandomTensors.tensor(b, qf, c), RandomTensors.intTensor(b, ids, c), w, 1f);
                String what = "sampled softmax n=" + n + " C=" + c + " logq=" + w;
                double ref = sampledSoftmax(l, bias, q, ids, n, c, w);
                assertEquals(1 + ref, RandomTensors.download(b, loss)[0], FORWARD_ATOL + FORWARD_RTOL * Math.abs(ref), what + " loss");
                double[] fdL = gradient(l, FD_EPS, x -> sampledSoftmax(x, bias, q, ids, n, c, w));
                double[] fdB = gradient(bias, FD_EPS, x -> sampledSoftmax(l, x, q, ids, n, c, w));
                assertClose(what + " dLogits vs finite differences", fdL, RandomTensors.download(b, dLogits), GRADIENT_ATOL, GRADIENT_RTOL);
                float[] gotB = RandomTensors.download(b, dBias);
                for (int j = 0; j < c; j++) gotB[j] -= db0[j];
                assertClose(what + " dBias vs finite differences", fdB, gotB, GRADIENT_ATOL, GRADIENT_RTOL);
            }
        }
    }

    @Test
    void bprMaxForwardAndGradients() {
        for (int[] shape : new int[][] {{1, 1}, {1, 4}, {2, 5}, {4, 9}, {5, 13}}) {
            int n = shape[0], c = shape[1];
            for (float reg : new float[] {0f, 1f}) {
                float[] lf = rnd.nonZero(n * c, 1.5f), bf = rnd.nonZero(c, 0.5f), db0 = rnd.nonZero(c);
                int[] ids = ids(n, c);
                double[] l = toDouble(lf), bias = toDouble(bf);
                Tensor logits = RandomTensors.tensor(b, lf, n, c), dLogits = b.allocate(n, c), dBias = RandomTensors.tensor(b, db0, c);
                Tensor loss = RandomTensors.tensor(b, new float[] {0f}, 1);
                b.bprMaxLoss(dLogits, dBias, loss, logits, RandomTensors.tensor(b, bf, c), RandomTensors.intTensor(b, ids, c), reg, 0.5f);
                String what = "BPR-max n=" + n + " C=" + c + " bpreg=" + reg;
                double ref = bprMax(l, bias, ids, n, c, reg);
                assertEquals(ref, RandomTensors.download(b, loss)[0], FORWARD_ATOL + FORWARD_RTOL * Math.abs(ref), what + " loss");
                double[] fdL = times(gradient(l, FD_EPS, x -> bprMax(x, bias, ids, n, c, reg)), 0.5);
                double[] fdB = times(gradient(bias, FD_EPS, x -> bprMax(l, x, ids, n, c, reg)), 0.5);
                assertClose(what + " dLogits vs finite differences", fdL, RandomTensors.download(b, dLogits), GRADIENT_ATOL, GRADIENT_RTOL);
                float[] gotB = RandomTensors.download(b, dBias);
                for (int j = 0; j < c; j++) gotB[j] -= db0[j];
                assertClose(what + " dBias vs finite differences", fdB, gotB, GRADIENT_ATOL, GRADIENT_RTOL);
            }
        }
    }

    private static double[] times(double[] a, double f) {
        double[] s = a.clone();
        for (int i = 0; i < s.length; i++) s[i] *= f;
        return s;
    }
}
