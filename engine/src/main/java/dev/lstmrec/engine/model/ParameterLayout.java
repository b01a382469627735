package dev.lstmrec.engine.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Where each parameter lives inside the single parameter slab (llm.c style: one allocation for all parameters,
 * one for their gradients, one per Adam moment, so Adam, clipping and zeroing are one call each).
 * The same layout names the tensors in checkpoints. A tied model ({@link ModelConfig#tied()}) has no {@code out.w}
 * entry: its output rows are the embedding's rows 1..N ({@link Parameters#outW()}).
 */
public final class ParameterLayout {
    /** One named parameter: its shape and element offset in the slab. */
    public record Entry(String name, int[] shape, long offset, int size) {}

    private final List<Entry> entries = new ArrayList<>();
    private long total;

    public ParameterLayout(ModelConfig config) {
        int g = config.gateDim(), h = config.hiddenDim();
        add("embedding", config.numItems() + 1, config.embeddingDim());
        for (int l = 0; l < config.layers(); l++) {
            add(layerName(l, "w_ih"), g, config.inputDim(l));
            add(layerName(l, "w_hh"), g, h);
            add(layerName(l, "bias"), g);
        }
        if (!config.tied()) add("out.w", config.numItems(), h);
        add("out.b", config.numItems());
    }

    public static String layerName(int layer, String what) {
        return "lstm" + layer + "." + what;
    }

    private void add(String name, int... shape) {
        int size = 1;
        for (int d : shape) size = Math.multiplyExact(size, d);
        entries.add(new Entry(name, shape, total, size));
        total += size;
        if (total > Integer.MAX_VALUE) throw new IllegalArgumentException("model too large: " + total + " parameters");
    }

    public List<Entry> entries() {
        return Collections.unmodifiableList(entries);
    }

    public Entry entry(String name) {
        for (Entry e : entries) if (e.name().equals(name)) return e;
        throw new IllegalArgumentException("no parameter named " + name);
    }

    /** Total parameter count. */
    public int total() {
        return (int) total;
    }
}
