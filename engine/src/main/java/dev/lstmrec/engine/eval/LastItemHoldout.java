package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.data.Dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The training-side split of the session-based protocol (--test-data): the test set is a separate log, so each
 * training session only gives up its last item for validation (model selection and early stopping) and trains on
 * the items before it; a one-item session trains as it is (it has nothing to predict). Checked by SessionProtocolTest.
 */
public final class LastItemHoldout {
    private LastItemHoldout() {}

    /** Per session: all items but the last when the session has two or more, else the session itself. */
    public static List<int[]> trainSequences(Dataset data) {
        List<int[]> out = new ArrayList<>(data.numUsers());
        for (int u = 0; u < data.numUsers(); u++) {
            int[] s = data.sequence(u);
            out.add(s.length >= 2 ? Arrays.copyOf(s, s.length - 1) : s);
        }
        return out;
    }

    /** Per session of two or more items: its last item given the items before it. */
    public static List<EvalCase> validation(Dataset data) {
        List<EvalCase> out = new ArrayList<>();
        for (int u = 0; u < data.numUsers(); u++) {
            int len = data.sequenceLength(u);
            if (len < 2) continue;
            int[] s = data.sequence(u);
            out.add(new EvalCase(Arrays.copyOf(s, len - 1), s[len - 1]));
        }
        return out;
    }
}
