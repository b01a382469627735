package dev.lstmrec.engine.model;

import java.util.Arrays;
import java.util.List;

/**
 * A mini-batch of variable-length sequences packed time-major without padding (PyTorch's PackedSequence):
 * sequences are sorted by length, longest first, so the rows still running at step t are a prefix of length
 * {@code batchSize(t)} and step t occupies packed rows {@code [offset(t), offset(t) + batchSize(t))}. The
 * recurrent GEMM of step t then reads exactly the first {@code batchSize(t)} rows of step t-1, and no FLOP is
 * spent on padding.
 */
public final class PackedBatch {
    private final int sequences;
    private final int[] batchSizes;
    private final int[] offsets;
    private final int[] inputs;
    private final int[] targets;
    private final int[] lastRow;
    private final int predicted;

    private PackedBatch(int sequences, int[] batchSizes, int[] offsets, int[] inputs, int[] targets, int[] lastRow) {
        this.sequences = sequences;
        this.batchSizes = batchSizes;
        this.offsets = offsets;
        this.inputs = inputs;
        this.targets = targets;
        this.lastRow = lastRow;
        int n = 0;
        for (int t : targets) if (t >= 0) n++;
        this.predicted = n;
    }

    /**
     * Packs sequences of item ids (1..N).
     *
     * @param inputs  one non-empty array of input items per sequence
     * @param targets per sequence, the output index (item - 1) to predict at each position, or -1 to mask it;
     *                null for inference (all masked)
     */
    public static PackedBatch pack(List<int[]> inputs, List<int[]> targets) {
        int b = inputs.size();
        if (b == 0) throw new IllegalArgumentException("empty batch");
        if (targets != null && targets.size() != b) throw new IllegalArgumentException("inputs and targets differ in count");
        Integer[] order = new Integer[b];
        int steps = 0, tokens = 0;
        for (int s = 0; s < b; s++) {
            order[s] = s;
            int len = inputs.get(s).length;
            if (len == 0) throw new IllegalArgumentException("sequence " + s + " of the batch is empty");
            if (targets != null && targets.get(s).length != len) {
                throw new IllegalArgumentException("sequence " + s + ": " + len + " inputs but " + targets.get(s).length + " targets");
            }
            steps = Math.max(steps, len);
            tokens += len;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(inputs.get(y).length, inputs.get(x).length)); // stable
        int[] batchSizes = new int[steps];
        int[] offsets = new int[steps + 1];
        for (int s = 0; s < b; s++) for (int t = 0; t < inputs.get(s).length; t++) batchSizes[t]++;
        for (int t = 0; t < steps; t++) offsets[t + 1] = offsets[t] + batchSizes[t];
        int[] in = new int[tokens];
        int[] tg = new int[tokens];
        int[] last = new int[b];
        for (int r = 0; r < b; r++) {
            int s = order[r];
            int[] seq = inputs.get(s);
            int[] tgt = targets == null ? null : targets.get(s);
            for (int t = 0; t < seq.length; t++) {
                int row = offsets[t] + r;
                in[row] = seq[t];
                tg[row] = tgt == null ? -1 : tgt[t];
            }
            last[s] = offsets[seq.length - 1] + r;
        }
        return new PackedBatch(b, batchSizes, offsets, in, tg, last);
    }

    /** Number of sequences B. */
    public int sequences() {
        return sequences;
    }

    /** Number of time steps T (the longest sequence). */
    public int steps() {
        return batchSizes.length;
    }

    /** Number of packed tokens P. */
    public int tokens() {
        return inputs.length;
    }

    /** Rows still running at step t. */
    public int batchSize(int t) {
        return batchSizes[t];
    }

    /** First packed row of step t. */
    public int offset(int t) {
        return offsets[t];
    }

    /** Packed input item ids [P]. */
    public int[] inputs() {
        return inputs;
    }

    /** Packed target output indices [P], -1 where masked. */
    public int[] targets() {
        return targets;
    }

    /** For each sequence in the caller's order, the packed row of its last step. */
    public int[] lastRows() {
        return lastRow;
    }

    /** Tokens with a target (the loss is averaged over these). */
    public int predictedTokens() {
        return predicted;
    }
}
