package dev.lstmrec.engine.api;

import dev.lstmrec.engine.model.ModelConfig;

/**
 * The network settings a user chooses (the item count comes from the data): {@code --dim}, {@code --hidden},
 * {@code --layers}, {@code --max-len}, {@code --dropout}, {@code --tied}.
 */
public record ModelSettings(int dim, int hidden, int layers, int maxLen, float embeddingDropout, float hiddenDropout, boolean tied) {
    /** Untied settings. */
    public ModelSettings(int dim, int hidden, int layers, int maxLen, float embeddingDropout, float hiddenDropout) {
        this(dim, hidden, layers, maxLen, embeddingDropout, hiddenDropout, false);
    }

    /** {@code lstmrec train}'s defaults ({@link RunOption}): d = h = 64, one layer, histories up to 200, dropout 0.2. */
    public static ModelSettings defaults() {
        return RunConfig.defaults().modelSettings();
    }

    /** The full network configuration for a catalogue of {@code numItems} items; checks every setting. */
    public ModelConfig forItems(int numItems) {
        return new ModelConfig(numItems, dim, hidden, layers, maxLen, embeddingDropout, hiddenDropout, tied);
    }
}
