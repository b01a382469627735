package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static dev.lstmrec.engine.backend.conformance.Tolerances.FD_EPS;
import static dev.lstmrec.engine.backend.conformance.Tolerances.FORWARD_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.MODEL_GRADIENT_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.MODEL_GRADIENT_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sampled-loss training step of the whole network (groups per time step, in-batch targets + shared negatives,
 * logQ, masked accidental hits, compact row gradients of out.w, out.b and the embedding) against central finite
 * differences of the double-precision twin's sampled loss, on every parameter of a tiny model; and the parameters the
 * step does not touch get no gradient at all.
 */
class SampledNetworkGradientTest {
    private static final ModelConfig UNTIED = new ModelConfig(9, 3, 4, 2, 8, 0f, 0f);
    private static final ModelConfig TIED = new ModelConfig(9, 4, 4, 2, 8, 0f, 0f, true);
    // Repeated targets within a step (accidental in-batch hits), negatives that repeat and that hit targets.
    private static final List<int[]> INPUTS = List.of(new int[] {1, 2, 3, 4}, new int[] {5}, new int[] {6, 1, 2}, new int[] {3, 3, 5, 6});
    private static final List<int[]> TARGETS = List.of(new int[] {1, 2, 3, 4}, new int[] {1}, new int[] {0, 2, 5}, new int[] {2, 4, 5, 1});
    private static final int[] NEGATIVES = {3, 7, 7, 1, 0};

    @Test
    void sampledSoftmaxWithLogQMatchesFiniteDifferences() {
        check(UNTIED, false);
    }

    @Test
    void bprMaxMatchesFiniteDifferences() {
        check(UNTIED, true);
    }

    @Test
    void tiedTablesMergeInputAndOutputRowsIntoOneBlock() {
        check(TIED, false);
        check(TIED, true);
    }

    private static void check(ModelConfig CFG, boolean bpr) {
        ParameterLayout layout = new ParameterLayout(CFG);
        SplittableRandom rnd = new SplittableRandom(11);
        float[] w = new float[layout.total()];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextDouble(-0.8, 0.8);
        double[] logQTarget = new double[CFG.numItems()], logQNeg = new double[CFG.numItems()];
        for (int j = 0; j < CFG.numItems(); j++) {
            logQTarget[j] = Math.log(1 + j);
            logQNeg[j] = 0.5 * Math.log(2 + j);
        }
        float logq = 0.7f, bpreg = 0.5f;

        ScalarBackend backend = new ScalarBackend();
        Parameters weights = new Parameters(backend, CFG, layout);
        Parameters grads = new Parameters(backend, CFG, layout);
        backend.upload(weights.slab(), w, 0);
        LstmNetwork net = new LstmNetwork(backend, weights, grads);
        PackedBatch batch = PackedBatch.pack(INPUTS, TARGETS);
        SampledScoring sampled = new SampledScoring(backend, CFG, bpr, NEGATIVES.length, logq, bpreg);
        sampled.prepare(batch, NEGATIVES, new SampledScoring.LogQ() {
            @Override
            public double target(int row) {
                return logQTarget[row];
            }

            @Override
            public double negative(int row) {
                return logQNeg[row];
            }
        });
        // Poison the item-table parts of the gradient slab: the sampled step must neither read nor write them.
        backend.fill(grads.slab(), Float.NaN);
        backend.fill(grads.dense(), 0f);
        net.resetLoss();
        net.trainStep(batch, 1L, sampled);
        float[] g = new float[layout.total()];
        backend.download(g, 0, grads.slab());
        for (ParameterLayout.Entry e : layout.entries()) {
            if (!e.name().startsWith("lstm")) {
                for (int i = 0; i < e.size(); i++) assertTrue(Float.isNaN(g[(int) e.offset() + i]), e.name() + " slab part was written");
                java.util.Arrays.fill(g, (int) e.offset(), (int) (e.offset() + e.size()), 0f);
            }
        }
        if (!CFG.tied()) scatter(backend, g, layout.entry("out.w"), sampled.outWeightGrad(), sampled.outRowIds());
        else assertEquals(0, sampled.outWeightGrad().rows(), "tied: no separate out.w block");
        scatter(backend, g, layout.entry("out.b"), sampled.outBiasGrad(), sampled.outRowIds());
        scatter(backend, g, layout.entry("embedding"), sampled.embeddingGrad(), sampled.embeddingRowIds());
        float[] loss = new float[1];
        backend.download(loss, 0, net.loss());

        DoubleNetwork twin = new DoubleNetwork(CFG);
        double[] p = new double[w.length];
        for (int i = 0; i < w.length; i++) p[i] = w[i];
        double ref = twin.meanSampledLoss(p, INPUTS, TARGETS, NEGATIVES, logQTarget, logQNeg, logq, bpr, bpreg);
        assertEquals(ref, loss[0] / batch.predictedTokens(), FORWARD_ATOL, "loss");
        double eps = FD_EPS;
        for (int i = 0; i < p.length; i++) {
            double keep = p[i];
            p[i] = keep + eps;
            double up = twin.meanSampledLoss(p, INPUTS, TARGETS, NEGATIVES, logQTarget, logQNeg, logq, bpr, bpreg);
            p[i] = keep - eps;
            double down = twin.meanSampledLoss(p, INPUTS, TARGETS, NEGATIVES, logQTarget, logQNeg, logq, bpr, bpreg);
            p[i] = keep;
            double fd = (up - down) / (2 * eps);
            assertTrue(Math.abs(g[i] - fd) <= MODEL_GRADIENT_ATOL + MODEL_GRADIENT_RTOL * Math.abs(fd),
                    (bpr ? "BPR-max" : "sampled softmax") + " parameter #" + i + ": backward " + g[i] + " vs finite difference " + fd);
        }
    }

    /** Adds a compact row block into its table's part of the flat gradient. */
    private static void scatter(ScalarBackend b, float[] g, ParameterLayout.Entry table, dev.lstmrec.engine.tensor.Tensor rows,
                                dev.lstmrec.engine.tensor.IntTensor ids) {
        float[] block = new float[rows.size()];
        b.download(block, 0, rows);
        int[] id = new int[ids.size()];
        b.downloadInt(id, 0, ids);
        int width = rows.cols();
        for (int k = 0; k < id.length; k++) {
            for (int c = 0; c < width; c++) g[(int) table.offset() + id[k] * width + c] += block[k * width + c];
        }
    }
}
