package dev.lstmrec.engine.api;

import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A model's weights for a grown catalogue: every stored row stays where it was (item i keeps row i in the input
 * embedding, the output weights and the output bias, tied or not), the LSTM blocks are copied, and the rows of the new
 * items are appended and initialised as a fresh model's would be (embedding N(0, 0.1^2), untied output rows uniform in
 * +-1/sqrt(h)), except the output bias, which starts at the stored items' mean bias plus the log of how much more (or
 * less) often the item occurs in the new events than a stored item does on average: a new item's prior score is then
 * about its popularity's, so it can be recommended from the first update on, instead of starting below every stored
 * item. Checked by {@code GrownWeightsTest}.
 */
public final class GrownWeights {
    private GrownWeights() {}

    /**
     * @param counts occurrences in the new events per item of the grown catalogue (index 1..N'; index 0 unused)
     */
    public static float[] grow(ModelConfig stored, float[] weights, ModelConfig grown, long[] counts, long seed) {
        if (grown.numItems() < stored.numItems()) throw new IllegalArgumentException("a catalogue only grows");
        ParameterLayout from = new ParameterLayout(stored), to = new ParameterLayout(grown);
        float[] w = new float[to.total()];
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = stored.numItems(), n2 = grown.numItems();
        float bound = (float) (1.0 / Math.sqrt(grown.hiddenDim()));
        for (ParameterLayout.Entry e : to.entries()) {
            ParameterLayout.Entry old = from.entry(e.name());
            int src = (int) old.offset(), dst = (int) e.offset();
            System.arraycopy(weights, src, w, dst, old.size()); // item tables: rows 0..N stay; LSTM blocks: the same shape
            switch (e.name()) {
                case "embedding" -> {
                    for (int i = old.size(); i < e.size(); i++) w[dst + i] = (float) (0.1 * gaussian(rnd));
                }
                case "out.w" -> {
                    for (int i = old.size(); i < e.size(); i++) w[dst + i] = (float) rnd.nextDouble(-bound, bound);
                }
                case "out.b" -> {
                    double mean = 0, meanCount = 0;
                    for (int i = 0; i < n; i++) {
                        mean += weights[src + i];
                        meanCount += counts[i + 1];
                    }
                    mean /= Math.max(1, n);
                    meanCount /= Math.max(1, n);
                    for (int i = n; i < n2; i++) w[dst + i] = (float) (mean + Math.log((counts[i + 1] + 1.0) / (meanCount + 1.0)));
                }
                default -> {
                    if (!Arrays.equals(old.shape(), e.shape())) throw new AssertionError(e.name() + " changed shape");
                }
            }
        }
        return w;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
