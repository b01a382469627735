package dev.lstmrec.engine.train;

// The sampled softmax as the trainer feeds it (log Q from NegativeSampler, the fused backend op) against the
// official GRU4Rec's cross-entropy written out from its formula, on identical inputs:
//   O = scores - logq * log(cat[P0[Y[:M]], P0[Y[M:]] ** sample_alpha]);  L = -sum_r log softmax(O_r)[r] / batch_size
// with P0 the raw target counts. Without accidental hits the two agree, loss and gradient; with one, lstmrec leaves the
// duplicate column out of that row's softmax and GRU4Rec does not, and that is the only difference.

import dev.lstmrec.engine.backend.conformance.RandomTensors;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static dev.lstmrec.engine.backend.conformance.Tolerances.FORWARD_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.FORWARD_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Gru4RecLossParityTest {
    private static final int N = 50, M = 5, K = 7, C = M + K;
    private static final float ALPHA = 0.3f, LOGQ = 1f;

    /** GRU4Rec's xe_loss_with_softmax / batch_size, in double; {@code skip[r]} is a column left out of row r (-1: none). */
    private static double gru4rec(double[] scores, long[] counts, int[] ids, int[] skip, double[] grad) {
        double loss = 0;
        for (int r = 0; r < M; r++) {
            double[] o = new double[C];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < C; j++) {
                double p0 = counts[ids[j]];
                o[j] = scores[r * C + j] - LOGQ * Math.log(j < M ? p0 : Math.pow(p0, ALPHA));
                if (j != skip[r]) max = Math.max(max, o[j]);
            }
            for (int j = 0; j < C; j++) if (j != skip[r]) sum += Math.exp(o[j] - max);
            loss -= o[r] - max - Math.log(sum);
            for (int j = 0; j < C; j++) grad[r * C + j] = j == skip[r] ? 0 : (Math.exp(o[j] - max) / sum - (j == r ? 1 : 0)) / M;
        }
        return loss / M;
    }

    private record Lstmrec(double loss, float[] dLogits) {}

    /** The trainer's path: log Q of targets and negatives from NegativeSampler, the scalar oracle's fused op. */
    private static Lstmrec lstmrec(ScalarBackend b, float[] logits, long[] counts, int[] ids) {
        NegativeSampler sampler = new NegativeSampler(counts, ALPHA);
        float[] logQ = new float[C];
        for (int j = 0; j < C; j++) logQ[j] = (float) (j < M ? sampler.logCount(ids[j]) : sampler.logSampleWeight(ids[j]));
        Tensor dLogits = b.allocate(M, C), loss = RandomTensors.tensor(b, new float[] {0f}, 1);
        b.sampledSoftmaxCrossEntropy(dLogits, b.allocate(C), loss, RandomTensors.tensor(b, logits, M, C),
                RandomTensors.tensor(b, new float[C], C), RandomTensors.tensor(b, logQ, C), RandomTensors.intTensor(b, ids, C),
                LOGQ, 1f / M);
        return new Lstmrec(RandomTensors.download(b, loss)[0] / M, RandomTensors.download(b, dLogits));
    }

    @Test
    void sameLossAndGradientAsGru4RecWithoutAccidentalHitsAndOnlyTheMaskAsDifferenceWithOne() {
        SplittableRandom rnd = new SplittableRandom(21);
        long[] counts = new long[N];
        for (int i = 0; i < N; i++) counts[i] = 1 + rnd.nextInt(500);
        float[] logits = new float[M * C];
        double[] scores = new double[M * C];
        for (int i = 0; i < logits.length; i++) scores[i] = logits[i] = (float) rnd.nextDouble(-3, 3);
        int[] ids = new int[C];
        for (int j = 0; j < C; j++) ids[j] = 3 * j + 1; // distinct: no accidental hit
        int[] none = {-1, -1, -1, -1, -1};
        try (ScalarBackend b = new ScalarBackend()) {
            double[] grad = new double[M * C];
            double ref = gru4rec(scores, counts, ids, none, grad);
            Lstmrec got = lstmrec(b, logits, counts, ids);
            assertEquals(ref, got.loss(), FORWARD_ATOL + FORWARD_RTOL * Math.abs(ref), "loss");
            for (int i = 0; i < grad.length; i++) assertEquals(grad[i], got.dLogits()[i], 1e-6, "dLogits[" + i + "]");

            ids[C - 1] = ids[0]; // the last negative is row 0's target: an accidental hit
            double unmasked = gru4rec(scores, counts, ids, none, new double[M * C]);
            double masked = gru4rec(scores, counts, ids, new int[] {C - 1, -1, -1, -1, -1}, grad);
            got = lstmrec(b, logits, counts, ids);
            assertEquals(masked, got.loss(), FORWARD_ATOL + FORWARD_RTOL * Math.abs(masked), "lstmrec leaves the hit out of row 0");
            assertTrue(Math.abs(unmasked - got.loss()) > 1e-4, "GRU4Rec keeps it: " + unmasked + " vs " + got.loss());
            for (int i = 0; i < grad.length; i++) assertEquals(grad[i], got.dLogits()[i], 1e-6, "masked dLogits[" + i + "]");
        }
    }
}
