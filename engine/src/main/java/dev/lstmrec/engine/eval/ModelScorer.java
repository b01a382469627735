package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntBinaryOperator;

/**
 * Scores items with the LSTM: features are the last hidden state after reading the history's window
 * ({@link #windowStart}) from a zero state.
 */
public final class ModelScorer implements Scorer {
    private final LstmNetwork network;
    private final Parameters weights;
    private final IntBinaryOperator windowStart;

    /** @param network an inference network over {@code weights} */
    public ModelScorer(LstmNetwork network, Parameters weights) {
        this(network, weights, ModelScorer::windowStart);
    }

    /**
     * A scorer that reads another window than the model's (for measuring windows against each other).
     *
     * @param windowStart (history length, maxLen) to the index the network starts reading at
     */
    public ModelScorer(LstmNetwork network, Parameters weights, IntBinaryOperator windowStart) {
        this.network = network;
        this.weights = weights;
        this.windowStart = windowStart;
    }

    /**
     * Where the network starts reading a history of {@code length} items: items {@code [windowStart, length)} are
     * read from a zero state. The start moves in steps of maxLen: 0 up to length maxLen, then
     * {@code maxLen * floor((length - maxLen) / maxLen)}, so the window holds between maxLen and 2·maxLen - 1 items
     * (never less context than a training window) and depends on the length alone. That is what lets a server carry
     * a user's LSTM state forward one event at a time (Recommender's state cache) and still answer exactly as a fresh
     * pass over the same window: the window grows by one item per event and restarts every maxLen events.
     */
    public static int windowStart(int length, int maxLen) {
        return length <= maxLen ? 0 : maxLen * ((length - maxLen) / maxLen);
    }

    /** The items of a history that the network reads: {@code history[windowStart(length) .. length)}. */
    public static int[] window(int[] history, int maxLen) {
        int start = windowStart(history.length, maxLen);
        return start == 0 ? history : Arrays.copyOfRange(history, start, history.length);
    }

    @Override
    public Tensor features(List<EvalCase> cases) {
        int maxLen = network.config().maxLen();
        List<int[]> inputs = new ArrayList<>(cases.size());
        for (EvalCase c : cases) {
            int[] h = c.history();
            int start = windowStart.applyAsInt(h.length, maxLen);
            inputs.add(start == 0 ? h : Arrays.copyOfRange(h, start, h.length));
        }
        return network.finalHidden(PackedBatch.pack(inputs, null));
    }

    @Override
    public Tensor weights() {
        return weights.outW();
    }

    @Override
    public Tensor bias() {
        return weights.outB();
    }
}
