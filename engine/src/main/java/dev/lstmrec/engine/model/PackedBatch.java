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
    /** Per sorted sequence, the items its rows have seen (null: the batch carries no histories). */
    private final int[][] histories;
    /** Per packed row, the sorted sequence it belongs to and how many items of its history it has seen. */
    private final int[] rowSequence;
    private final int[] rowSeen;

    private PackedBatch(int sequences, int[] batchSizes, int[] offsets, int[] inputs, int[] targets, int[] lastRow,
                        int[][] histories, int[] rowSequence, int[] rowSeen) {
        this.histories = histories;
        this.rowSequence = rowSequence;
        this.rowSeen = rowSeen;
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
        return pack(inputs, targets, null, null);
    }

    /**
     * Packs training sequences together with what each position has already seen, so the training softmax can leave
     * seen items out ({@link #seenColumns}).
     *
     * @param histories     per sequence, the user's items (1..N) in order; position t of sequence s has seen
     *                      {@code histories.get(s)[0 .. historyStarts[s] + t]} (its own input included)
     * @param historyStarts per sequence, the index in its history of its first input
     */
    public static PackedBatch pack(List<int[]> inputs, List<int[]> targets, List<int[]> histories, int[] historyStarts) {
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
        int[][] hist = histories == null ? null : new int[b][];
        int[] rowSeq = histories == null ? null : new int[tokens];
        int[] rowSeen = histories == null ? null : new int[tokens];
        for (int r = 0; r < b; r++) {
            int s = order[r];
            if (hist != null) {
                hist[r] = histories.get(s);
                int seenAtEnd = historyStarts[s] + inputs.get(s).length;
                if (historyStarts[s] < 0 || seenAtEnd > hist[r].length) {
                    throw new IllegalArgumentException("sequence " + s + " of the batch: history start " + historyStarts[s]
                            + " with " + inputs.get(s).length + " inputs runs past its history of " + hist[r].length + " items");
                }
                for (int t = 0; t < inputs.get(s).length; t++) {
                    rowSeq[offsets[t] + r] = r;
                    rowSeen[offsets[t] + r] = historyStarts[s] + t + 1;
                }
            }
            int[] seq = inputs.get(s);
            int[] tgt = targets == null ? null : targets.get(s);
            for (int t = 0; t < seq.length; t++) {
                int row = offsets[t] + r;
                in[row] = seq[t];
                tg[row] = tgt == null ? -1 : tgt[t];
            }
            last[s] = offsets[seq.length - 1] + r;
        }
        return new PackedBatch(b, batchSizes, offsets, in, tg, last, hist, rowSeq, rowSeen);
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

    /** Whether the batch carries what each position has seen ({@link #pack(List, List, List, int[])}). */
    public boolean hasHistories() {
        return histories != null;
    }

    /**
     * Per row, the output columns it has seen: row i's are {@code columns[offsets[i] .. offsets[i + 1])}
     * ({@link dev.lstmrec.engine.backend.Backend#fillColumns}'s layout).
     */
    public record SeenColumns(int[] offsets, int[] columns) {}

    /**
     * The output columns (item - 1) each of the packed rows [from, from + n) has already seen, its own target left
     * out (a repeat stays predictable); none for a row without a target. A column repeats within a row when the user
     * consumed the item twice.
     */
    public SeenColumns seenColumns(int from, int n) {
        if (histories == null) throw new IllegalStateException("this batch carries no histories");
        int[] off = new int[n + 1];
        int total = 0;
        for (int i = 0; i < n; i++) total += rowSeen[from + i];
        int[] cols = new int[total];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int row = from + i, target = targets[row];
            int[] h = histories[rowSequence[row]];
            for (int j = 0; target >= 0 && j < rowSeen[row]; j++) {
                int c = h[j] - 1;
                if (c != target) cols[k++] = c;
            }
            off[i + 1] = k;
        }
        return new SeenColumns(off, k == total ? cols : Arrays.copyOf(cols, k));
    }
}
