package dev.lstmrec.engine.model;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.tensor.Tensor;

/**
 * A slab laid out by {@link ParameterLayout} on a backend, with named views. Used for the weights, their gradients
 * and the Adam moments alike. {@link #close()} frees the slab.
 */
public final class Parameters implements AutoCloseable {
    private final Backend backend;
    private final ParameterLayout layout;
    private final ModelConfig config;
    private final Tensor slab;
    private final Tensor embedding;
    private final Tensor[] wIh;
    private final Tensor[] wHh;
    private final Tensor[] bias;
    private final Tensor outW;
    private final Tensor outB;

    public Parameters(Backend backend, ModelConfig config, ParameterLayout layout) {
        this.backend = backend;
        this.layout = layout;
        this.config = config;
        this.slab = backend.allocate(layout.total());
        this.embedding = view("embedding");
        int layers = config.layers();
        wIh = new Tensor[layers];
        wHh = new Tensor[layers];
        bias = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            wIh[l] = view(ParameterLayout.layerName(l, "w_ih"));
            wHh[l] = view(ParameterLayout.layerName(l, "w_hh"));
            bias[l] = view(ParameterLayout.layerName(l, "bias"));
        }
        // Tied: item j's output row is embedding row j + 1 (row 0 is padding), E = H.
        outW = config.tied() ? embedding.view(config.embeddingDim(), config.numItems(), config.hiddenDim()) : view("out.w");
        outB = view("out.b");
    }

    /** The view of the named parameter. */
    public Tensor view(String name) {
        ParameterLayout.Entry e = layout.entry(name);
        return slab.view(e.offset(), e.shape());
    }

    public ParameterLayout layout() {
        return layout;
    }

    public ModelConfig config() {
        return config;
    }

    /**
     * The dense LSTM weights (every layer's w_ih, w_hh, bias: the slab between the embedding and the output layer) as one flat
     * view, for the sampled-loss step that updates the item tables row by row.
     */
    public Tensor dense() {
        long from = layout.entry(ParameterLayout.layerName(0, "w_ih")).offset();
        ParameterLayout.Entry last = layout.entry(ParameterLayout.layerName(config.layers() - 1, "bias"));
        return slab.view(from, (int) (last.offset() + last.size() - from));
    }

    /** All parameters as one flat tensor. */
    public Tensor slab() {
        return slab;
    }

    /** [N+1, E] */
    public Tensor embedding() {
        return embedding;
    }

    /** [G, in] */
    public Tensor wIh(int layer) {
        return wIh[layer];
    }

    /** [G, H] */
    public Tensor wHh(int layer) {
        return wHh[layer];
    }

    /** [G] */
    public Tensor bias(int layer) {
        return bias[layer];
    }

    /** [N, H]: row j scores item j+1 (tied: a view of embedding rows 1..N). */
    public Tensor outW() {
        return outW;
    }

    /** [N] */
    public Tensor outB() {
        return outB;
    }

    /** Frees the slab (every view dies with it). Idempotent. */
    @Override
    public void close() {
        if (!slab.storage().freed()) backend.free(slab);
    }
}
