package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.DropoutMask;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.SplittableRandom;

import static dev.lstmrec.engine.backend.conformance.Tolerances.FD_EPS;
import static dev.lstmrec.engine.backend.conformance.Tolerances.FORWARD_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.MODEL_GRADIENT_ATOL;
import static dev.lstmrec.engine.backend.conformance.Tolerances.MODEL_GRADIENT_RTOL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole network's backward (BPTT through packed variable-length sequences, two layers, fused scoring + loss)
 * against central finite differences of the double-precision twin, on every single parameter of a tiny model: without
 * dropout in one scoring chunk, with dropout at all three sites (embedding, between the layers, top; the same seed on
 * both sides fixes the mask), and with a scoring chunk smaller than the batch, so the chunk loop runs with start > 0
 * and a partial last chunk. Masked: the batch carries the users' histories, so each softmax leaves the items seen
 * before its position out (its own target excepted, a repeated item included, duplicates listed twice, a row where
 * only the target is left).
 */
class LstmNetworkGradientTest {
    private static final long DROPOUT_SEED = 1L;

    @ParameterizedTest(name = "dropout {0}/{1}, scoring chunk {2} rows (0: one chunk), tied {3}, seen items masked {4}")
    @CsvSource({"0, 0, 0, false, false", "0.3, 0.4, 0, false, false", "0, 0, 5, false, false", "0.3, 0.4, 1, false, false",
            "0.3, 0.4, 5, false, false", "0, 0, 0, true, false", "0.3, 0.4, 5, true, false",
            "0, 0, 0, false, true", "0, 0, 1, false, true", "0.3, 0.4, 5, true, true"})
    void everyParameterGradientMatchesFiniteDifferences(float embeddingDropout, float hiddenDropout, int chunkRows, boolean tied,
                                                        boolean masked) {
        // Tied: one table serves as input embedding and output layer (E = H), so its gradient adds both uses.
        ModelConfig cfg = new ModelConfig(6, tied ? 4 : 3, 4, 2, 8, embeddingDropout, hiddenDropout, tied);
        ParameterLayout layout = new ParameterLayout(cfg);
        SplittableRandom rnd = new SplittableRandom(7);
        float[] w = new float[layout.total()];
        for (int i = 0; i < w.length; i++) w[i] = (float) rnd.nextDouble(-0.8, 0.8);
        // lengths 4, 1, 3, 4: ties and a length-1 sequence exercise the packing; one masked target (-1).
        List<int[]> inputs = List.of(new int[] {1, 2, 3, 4}, new int[] {5}, new int[] {6, 1, 2}, new int[] {3, 3, 5, 6});
        List<int[]> targets = List.of(new int[] {1, 2, 3, 4}, new int[] {0}, new int[] {0, -1, 5}, new int[] {2, 4, 5, 1});
        // Histories: items before each window, then its inputs (sequence 2's last target, item 6, was seen before).
        List<int[]> histories = List.of(new int[] {5, 6, 1, 2, 3, 4}, new int[] {5}, new int[] {3, 6, 1, 2}, new int[] {3, 3, 5, 6});
        int[] starts = {2, 0, 1, 0};
        DoubleNetwork.Excluded excluded = !masked ? DoubleNetwork.Excluded.NONE : (s, t) -> {
            int[] h = histories.get(s);
            return java.util.stream.IntStream.range(0, starts[s] + t + 1).map(j -> h[j] - 1)
                    .filter(c -> c != targets.get(s)[t]).toArray();
        };

        ScalarBackend backend = new ScalarBackend();
        Parameters weights = new Parameters(backend, cfg, layout);
        Parameters grads = new Parameters(backend, cfg, layout);
        backend.upload(weights.slab(), w, 0);
        LstmNetwork net = new LstmNetwork(backend, weights, grads, chunkRows);
        PackedBatch batch = masked ? PackedBatch.pack(inputs, targets, histories, starts) : PackedBatch.pack(inputs, targets);
        if (chunkRows > 0) assertTrue(chunkRows < batch.tokens(), "the batch spans several chunks");
        net.resetLoss();
        net.trainStep(batch, DROPOUT_SEED);
        float[] g = new float[layout.total()];
        backend.download(g, 0, grads.slab());
        float[] loss = new float[1];
        backend.download(loss, 0, net.loss());

        int[] dropped = new int[cfg.layers() + 1];
        DoubleNetwork.Mask mask = mask(cfg, inputs, batch, dropped);
        DoubleNetwork twin = new DoubleNetwork(cfg);
        double[] p = new double[w.length];
        for (int i = 0; i < w.length; i++) p[i] = w[i];
        double ref = twin.meanLoss(p, inputs, targets, mask, excluded);
        assertEquals(ref, loss[0] / batch.predictedTokens(), FORWARD_ATOL, "loss");
        if (hiddenDropout > 0) {
            for (int site = 0; site < dropped.length; site++) assertTrue(dropped[site] > 0, "the mask drops something at site " + site);
        }

        int checked = 0;
        for (int i = 0; i < p.length; i++) {
            // The padding row of the embedding is never read; its gradient must stay exactly zero.
            double keep = p[i];
            p[i] = keep + FD_EPS;
            double up = twin.meanLoss(p, inputs, targets, mask, excluded);
            p[i] = keep - FD_EPS;
            double down = twin.meanLoss(p, inputs, targets, mask, excluded);
            p[i] = keep;
            double fd = (up - down) / (2 * FD_EPS);
            double tol = MODEL_GRADIENT_ATOL + MODEL_GRADIENT_RTOL * Math.abs(fd);
            assertTrue(Math.abs(g[i] - fd) <= tol, "parameter " + name(layout, i) + ": backward " + g[i] + " vs finite difference " + fd);
            checked++;
        }
        assertEquals(layout.total(), checked);
    }

    /**
     * The network's dropout masks in the twin's coordinates: element (packed row, col) of the [P, width] tensor at a
     * site, drawn from {@link DropoutMask} with the network's per-site seed; counts the dropped elements per site.
     */
    private static DoubleNetwork.Mask mask(ModelConfig cfg, List<int[]> inputs, PackedBatch batch, int[] dropped) {
        boolean[][] seen = new boolean[dropped.length][batch.tokens() * Math.max(cfg.embeddingDim(), cfg.hiddenDim())];
        return (site, seq, t, col) -> {
            float p = site == 0 ? cfg.embeddingDropout() : cfg.hiddenDropout();
            if (p == 0f) return 1.0;
            int width = site == 0 ? cfg.embeddingDim() : cfg.hiddenDim();
            int len = inputs.get(seq).length;
            int rank = batch.lastRows()[seq] - batch.offset(len - 1); // the sequence's row within every step
            long index = (long) (batch.offset(t) + rank) * width + col;
            boolean keep = DropoutMask.keep(LstmNetwork.seedFor(DROPOUT_SEED, site), index, p);
            if (!keep && !seen[site][(int) index]) {
                seen[site][(int) index] = true;
                dropped[site]++;
            }
            return keep ? 1f / (1f - p) : 0.0;
        };
    }

    private static String name(ParameterLayout layout, int index) {
        for (ParameterLayout.Entry e : layout.entries()) {
            if (index >= e.offset() && index < e.offset() + e.size()) return e.name() + "[" + (index - e.offset()) + "]";
        }
        return "#" + index;
    }
}
