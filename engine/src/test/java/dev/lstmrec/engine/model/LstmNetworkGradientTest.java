package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole network's backward (BPTT through packed variable-length sequences, two layers, fused scoring + loss)
 * against central finite differences of the double-precision twin, on every single parameter of a tiny model.
 */
class LstmNetworkGradientTest {

    @Test
    void everyParameterGradientMatchesFiniteDifferences() {
        check(new ModelConfig(6, 3, 4, 2, 8, 0f, 0f));
    }

    @Test
    void tiedEmbeddingGradientsAddBothUses() {
        check(new ModelConfig(6, 4, 4, 2, 8, 0f, 0f, true));
    }

    private static void check(ModelConfig cfg) {
        ParameterLayout layout = new ParameterLayout(cfg);
        SplittableRandom rnd = new SplittableRandom(7);
        float[] w = new float[layout.total()];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextDouble(-0.8, 0.8);
        // lengths 4, 1, 3, 4: ties and a length-1 sequence exercise the packing; one masked target (-1).
        List<int[]> inputs = List.of(new int[] {1, 2, 3, 4}, new int[] {5}, new int[] {6, 1, 2}, new int[] {3, 3, 5, 6});
        List<int[]> targets = List.of(new int[] {1, 2, 3, 4}, new int[] {0}, new int[] {0, -1, 5}, new int[] {2, 4, 5, 1});

        ScalarBackend backend = new ScalarBackend();
        Parameters weights = new Parameters(backend, cfg, layout);
        Parameters grads = new Parameters(backend, cfg, layout);
        backend.upload(weights.slab(), w, 0);
        LstmNetwork net = new LstmNetwork(backend, weights, grads);
        PackedBatch batch = PackedBatch.pack(inputs, targets);
        net.resetLoss();
        net.trainStep(batch, 1L);
        float[] g = new float[layout.total()];
        backend.download(g, 0, grads.slab());
        float[] loss = new float[1];
        backend.download(loss, 0, net.loss());

        DoubleNetwork twin = new DoubleNetwork(cfg);
        double[] p = new double[w.length];
        for (int i = 0; i < w.length; i++) p[i] = w[i];
        double ref = twin.meanLoss(p, inputs, targets);
        assertEquals(ref, loss[0] / batch.predictedTokens(), 1e-5, "loss");

        double eps = 1e-6;
        int checked = 0;
        for (int i = 0; i < p.length; i++) {
            // The padding row of the embedding is never read; its gradient must stay exactly zero.
            double keep = p[i];
            p[i] = keep + eps;
            double up = twin.meanLoss(p, inputs, targets);
            p[i] = keep - eps;
            double down = twin.meanLoss(p, inputs, targets);
            p[i] = keep;
            double fd = (up - down) / (2 * eps);
            double tol = 2e-5 + 2e-3 * Math.abs(fd);
            assertTrue(Math.abs(g[i] - fd) <= tol, "parameter " + name(layout, i) + ": backward " + g[i] + " vs finite difference " + fd);
            checked++;
        }
        assertEquals(layout.total(), checked);
    }

    private static String name(ParameterLayout layout, int index) {
        for (ParameterLayout.Entry e : layout.entries()) {
            if (index >= e.offset() && index < e.offset() + e.size()) return e.name() + "[" + (index - e.offset()) + "]";
        }
        return "#" + index;
    }
}
