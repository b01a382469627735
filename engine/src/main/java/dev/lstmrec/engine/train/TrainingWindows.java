package dev.lstmrec.engine.train;

import dev.lstmrec.engine.model.PackedBatch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts training sequences into BPTT windows of at most maxLen predictions: window [s, e) feeds items s..e-2 and
 * predicts items s+1..e-1. Windows tile each sequence from its end backwards, so long histories are used whole
 * and every transition is predicted exactly once; each window starts from a zero state, as evaluation does.
 */
public final class TrainingWindows {
    private TrainingWindows() {}

    /** Window boundaries {start, end} over all sequences (index into the list first). */
    public static List<int[]> cut(List<int[]> sequences, int maxLen) {
        List<int[]> windows = new ArrayList<>();
        for (int s = 0; s < sequences.size(); s++) {
            int end = sequences.get(s).length;
            while (end >= 2) {
                int start = Math.max(0, end - maxLen - 1);
                windows.add(new int[] {s, start, end});
                end = start + 1;
            }
        }
        return windows;
    }

    /** How many windows {@link #cut} makes of a sequence of {@code length} items. */
    public static int count(int length, int maxLen) {
        return length < 2 ? 0 : (length - 2) / maxLen + 1;
    }

    /** Inputs (items) of a window. */
    public static int[] inputs(int[] sequence, int[] window) {
        return Arrays.copyOfRange(sequence, window[1], window[2] - 1);
    }

    /** Targets (output index = item - 1) of a window. */
    public static int[] targets(int[] sequence, int[] window) {
        int[] t = new int[window[2] - window[1] - 1];
        for (int i = 0; i < t.length; i++) t[i] = sequence[window[1] + 1 + i] - 1;
        return t;
    }

    /** The batch of windows {@code order[from..to)} (indices into {@code windows}), packed for a training step. */
    public static PackedBatch batch(List<int[]> sequences, List<int[]> windows, int[] order, int from, int to) {
        return batch(sequences, windows, order, from, to, false);
    }

    /**
     * As {@link #batch(List, List, int[], int, int)}; with {@code withHistories} each position also carries the items
     * its user has seen up to it (from the start of the sequence, not only of the window), for a softmax that leaves
     * them out.
     */
    public static PackedBatch batch(List<int[]> sequences, List<int[]> windows, int[] order, int from, int to, boolean withHistories) {
        List<int[]> in = new ArrayList<>(to - from), tg = new ArrayList<>(to - from), hist = new ArrayList<>(to - from);
        int[] starts = new int[to - from];
        for (int i = from; i < to; i++) {
            int[] w = windows.get(order[i]);
            int[] seq = sequences.get(w[0]);
            in.add(inputs(seq, w));
            tg.add(targets(seq, w));
            hist.add(seq);
            starts[i - from] = w[1];
        }
        return withHistories ? PackedBatch.pack(in, tg, hist, starts) : PackedBatch.pack(in, tg);
    }
}
