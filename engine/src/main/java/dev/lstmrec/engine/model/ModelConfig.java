package dev.lstmrec.engine.model;

/**
 * Shape and regularisation of the recommender network: embedding (N+1)×E → L stacked LSTM layers of width H →
 * dense scores over the N items.
 *
 * @param numItems       N, items are 1..N (0 is padding)
 * @param embeddingDim   E
 * @param hiddenDim      H
 * @param layers         number of stacked LSTM layers
 * @param maxLen         longest history the network unrolls over (BPTT truncation)
 * @param embeddingDropout dropout probability on the embeddings (training only)
 * @param hiddenDropout  dropout probability on each layer's outputs (training only)
 * @param tied           one item table for the input embedding and the output layer ({@code --tied}, needs E = H):
 *                       item j's output row is embedding row j; the output bias stays separate
 */
public record ModelConfig(int numItems, int embeddingDim, int hiddenDim, int layers, int maxLen,
                          float embeddingDropout, float hiddenDropout, boolean tied) {
    /** An untied model. */
    public ModelConfig(int numItems, int embeddingDim, int hiddenDim, int layers, int maxLen, float embeddingDropout,
                       float hiddenDropout) {
        this(numItems, embeddingDim, hiddenDim, layers, maxLen, embeddingDropout, hiddenDropout, false);
    }

    public ModelConfig {
        positive("numItems", numItems);
        positive("dim (embedding width)", embeddingDim);
        positive("hidden (LSTM width)", hiddenDim);
        positive("layers", layers);
        positive("max-len (longest history unrolled)", maxLen);
        probability("embedding dropout", embeddingDropout);
        probability("hidden dropout", hiddenDropout);
        if (tied && embeddingDim != hiddenDim) {
            throw new IllegalArgumentException("--tied needs --dim equal to --hidden, got " + embeddingDim + " and " + hiddenDim);
        }
    }

    /** As the record's, without {@code tied} when false. */
    @Override
    public String toString() {
        return "ModelConfig[numItems=" + numItems + ", embeddingDim=" + embeddingDim + ", hiddenDim=" + hiddenDim + ", layers="
                + layers + ", maxLen=" + maxLen + ", embeddingDropout=" + embeddingDropout + ", hiddenDropout=" + hiddenDropout
                + (tied ? ", tied=true]" : "]");
    }

    private static void positive(String what, int v) {
        if (v <= 0) throw new IllegalArgumentException(what + " must be positive, got " + v);
    }

    private static void probability(String what, float p) {
        if (!(p >= 0f && p < 1f)) throw new IllegalArgumentException(what + " must be in [0, 1), got " + p);
    }

    /** G = 4H, the width of the gate pre-activations. */
    public int gateDim() {
        return 4 * hiddenDim;
    }

    /** Input width of layer {@code l}: E for the first layer, H above it. */
    public int inputDim(int layer) {
        return layer == 0 ? embeddingDim : hiddenDim;
    }
}
