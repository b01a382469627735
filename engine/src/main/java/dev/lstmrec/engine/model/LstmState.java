package dev.lstmrec.engine.model;

import dev.lstmrec.engine.tensor.Tensor;

/**
 * The recurrent state of some rows (one per user or query): h and c of every LSTM layer, [rows, H] each, as views of
 * one backend buffer laid out layer by layer (layer 0's h, layer 0's c, layer 1's h, ...), so the whole state of a
 * batch moves between host and backend in one transfer. {@link LstmNetwork#finalState} fills it from a fresh pass,
 * {@link LstmNetwork#step} advances it by one item. Checked by the carried-state conformance suite (CarriedStateSuite).
 */
public final class LstmState {
    private final Tensor[] h;
    private final Tensor[] c;
    private final int rows;

    private LstmState(Tensor[] h, Tensor[] c, int rows) {
        this.h = h;
        this.c = c;
        this.rows = rows;
    }

    /** Floats that one row's state takes: 2·L·H. */
    public static int floatsPerRow(ModelConfig config) {
        return 2 * config.layers() * config.hiddenDim();
    }

    /** The state of {@code rows} rows over the first {@code rows · floatsPerRow} elements of {@code buffer}. */
    public static LstmState over(Tensor buffer, ModelConfig config, int rows) {
        int layers = config.layers(), hd = config.hiddenDim();
        long block = (long) rows * hd;
        if (buffer.size() < 2 * layers * block) {
            throw new IllegalArgumentException("state of " + rows + " rows needs " + 2 * layers * block + " floats, buffer has " + buffer.size());
        }
        Tensor[] h = new Tensor[layers], c = new Tensor[layers];
        for (int l = 0; l < layers; l++) {
            h[l] = buffer.view(2 * l * block, rows, hd);
            c[l] = buffer.view((2 * l + 1) * block, rows, hd);
        }
        return new LstmState(h, c, rows);
    }

    public int rows() {
        return rows;
    }

    public int layers() {
        return h.length;
    }

    /** Layer l's hidden state [rows, H]. */
    public Tensor h(int layer) {
        return h[layer];
    }

    /** Layer l's cell state [rows, H]. */
    public Tensor c(int layer) {
        return c[layer];
    }

    /** The top layer's hidden state [rows, H]: what the scoring layer reads. */
    public Tensor top() {
        return h[h.length - 1];
    }

    /** Rows {@code [from, from + n)} of this state (views). */
    public LstmState rows(int from, int n) {
        Tensor[] hv = new Tensor[h.length], cv = new Tensor[c.length];
        for (int l = 0; l < h.length; l++) {
            hv[l] = h[l].rows(from, n);
            cv[l] = c[l].rows(from, n);
        }
        return new LstmState(hv, cv, n);
    }

    /**
     * Row {@code r}'s state out of a host copy of a whole {@link #over} buffer of {@code rows} rows, as one array:
     * per layer, h then c (2·L·H floats).
     */
    public static float[] rowOf(float[] buffer, ModelConfig config, int rows, int r) {
        int hd = config.hiddenDim();
        float[] out = new float[floatsPerRow(config)];
        for (int part = 0; part < 2 * config.layers(); part++) {
            System.arraycopy(buffer, (part * rows + r) * hd, out, part * hd, hd);
        }
        return out;
    }

    /** The inverse of {@link #rowOf}: writes one row's state into a host copy of a buffer of {@code rows} rows. */
    public static void putRow(float[] buffer, ModelConfig config, int rows, int r, float[] state) {
        int hd = config.hiddenDim();
        for (int part = 0; part < 2 * config.layers(); part++) {
            System.arraycopy(state, part * hd, buffer, (part * rows + r) * hd, hd);
        }
    }
}
