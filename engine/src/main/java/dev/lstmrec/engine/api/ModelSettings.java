package dev.lstmrec.engine.api;

import dev.lstmrec.engine.model.ModelConfig;

/**
 * The network settings a user chooses (the item count comes from the data): {@code --dim}, {@code --hidden},
 * {@code --layers}, {@code --max-len}, {@code --dropout}.
 */
public record ModelSettings(int dim, int hidden, int layers, int maxLen, float embeddingDropout, float hiddenDropout) {
    /** d = h = 64, one layer, histories up to 200, dropout 0.2 on embeddings and outputs. */
    public static ModelSettings defaults() {
        return new ModelSettings(64, 64, 1, 200, 0.2f, 0.2f);
    }

    public ModelConfig forItems(int numItems) {
        return new ModelConfig(numItems, dim, hidden, layers, maxLen, embeddingDropout, hiddenDropout);
    }
}
