package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Scores items with the LSTM: features are the last hidden state after reading the last maxLen history items. */
public final class ModelScorer implements Scorer {
    private final LstmNetwork network;
    private final Parameters weights;

    /** @param network an inference network over {@code weights} */
    public ModelScorer(LstmNetwork network, Parameters weights) {
        this.network = network;
        this.weights = weights;
    }

    /** The last {@code maxLen} items of a history: what the network reads. */
    public static int[] window(int[] history, int maxLen) {
        return history.length <= maxLen ? history : Arrays.copyOfRange(history, history.length - maxLen, history.length);
    }

    @Override
    public Tensor features(List<EvalCase> cases) {
        int maxLen = network.config().maxLen();
        List<int[]> inputs = new ArrayList<>(cases.size());
        for (EvalCase c : cases) inputs.add(window(c.history(), maxLen));
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
