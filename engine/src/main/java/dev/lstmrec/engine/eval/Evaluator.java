package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.GrowingInts;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Leave-one-out evaluation under a {@link Protocol}: ranks each case's target with the backend's fused
 * score-and-rank op and turns the ranks into {@link Metrics}. The model and the popularity baseline go through
 * exactly this code. Sampled negatives are drawn per case from a seed, so every scorer sees the same candidates.
 * The device buffers are grow-only and reused by every pass (no allocation per batch once warm); {@link #close()}
 * frees them.
 */
public final class Evaluator implements AutoCloseable {
    private static final int BATCH = 256;
    private final Backend backend;
    private final int numItems;
    private final GrowingInts offsetsBuf;
    private final GrowingInts listBuf;
    private final GrowingInts targetsBuf;
    private final GrowingInts ranksBuf;

    public Evaluator(Backend backend, int numItems) {
        this.backend = backend;
        this.numItems = numItems;
        this.offsetsBuf = new GrowingInts(backend, BATCH + 1);
        this.listBuf = new GrowingInts(backend, 1024);
        this.targetsBuf = new GrowingInts(backend, BATCH);
        this.ranksBuf = new GrowingInts(backend, BATCH);
    }

    /** Frees the device buffers (the evaluator may be used again: it reallocates). */
    @Override
    public void close() {
        offsetsBuf.close();
        listBuf.close();
        targetsBuf.close();
        ranksBuf.close();
    }

    public Metrics evaluate(Scorer scorer, List<EvalCase> cases, Protocol protocol) {
        return Metrics.fromRanks(ranks(scorer, cases, protocol));
    }

    /** 0-based conservative rank of every case's target. */
    public int[] ranks(Scorer scorer, List<EvalCase> cases, Protocol protocol) {
        int[] ranks = new int[cases.size()];
        for (int start = 0; start < cases.size(); start += BATCH) {
            List<EvalCase> batch = cases.subList(start, Math.min(cases.size(), start + BATCH));
            int n = batch.size();
            int[] offsets = new int[n + 1];
            List<int[]> lists = new ArrayList<>(n);
            int[] targets = new int[n];
            for (int r = 0; r < n; r++) {
                EvalCase c = batch.get(r);
                if (c.target() > numItems) throw new IllegalArgumentException("target item " + c.target() + " > N = " + numItems);
                targets[r] = c.target() - 1;
                int[] list = protocol.sampled() ? candidates(c, protocol, start + r) : excluded(c, protocol);
                lists.add(list);
                offsets[r + 1] = offsets[r] + list.length;
            }
            int[] flat = new int[offsets[n]];
            for (int r = 0; r < n; r++) System.arraycopy(lists.get(r), 0, flat, offsets[r], lists.get(r).length);
            IntTensor off = offsetsBuf.view(n + 1);
            IntTensor list = listBuf.view(flat.length);
            IntTensor tg = targetsBuf.view(n);
            IntTensor out = ranksBuf.view(n);
            backend.uploadInt(off, offsets, 0);
            backend.uploadInt(list, flat, 0);
            backend.uploadInt(tg, targets, 0);
            backend.scoreRank(out, scorer.features(batch), scorer.weights(), scorer.bias(), tg, off, list,
                    protocol.sampled() ? RankMode.CANDIDATES : RankMode.EXCLUDE);
            backend.downloadInt(ranks, start, out);
        }
        return ranks;
    }

    /** Output indices of the history (the backend always scores the target itself, even if listed). */
    private int[] excluded(EvalCase c, Protocol protocol) {
        if (!protocol.excludeSeen()) return new int[0];
        int[] h = c.history();
        int[] out = new int[h.length];
        for (int i = 0; i < h.length; i++) out[i] = h[i] - 1;
        return out;
    }

    /**
     * {@code negatives} distinct unseen items other than the target, drawn uniformly (fewer if too few exist). The
     * draws are rejection sampling against the sorted history and the items drawn so far: O(history + negatives)
     * per case, independent of the catalogue size (no BitSet over all N items).
     */
    int[] candidates(EvalCase c, Protocol protocol, int caseIndex) {
        int[] h = c.history();
        int[] seen = Arrays.copyOf(h, h.length + 1);
        seen[h.length] = c.target();
        Arrays.sort(seen);
        int distinct = 0;
        for (int i = 0; i < seen.length; i++) if (i == 0 || seen[i] != seen[i - 1]) seen[distinct++] = seen[i];
        int available = numItems - distinct;
        int want = Math.min(protocol.negatives(), Math.max(0, available));
        int[] out = new int[want];
        Set<Integer> drawn = new HashSet<>();
        SplittableRandom rnd = new SplittableRandom(protocol.seed() * 1_000_003L + caseIndex);
        for (int i = 0; i < want; ) {
            int item = 1 + rnd.nextInt(numItems);
            if (Arrays.binarySearch(seen, 0, distinct, item) >= 0 || !drawn.add(item)) continue;
            out[i++] = item - 1;
        }
        Arrays.sort(out);
        return out;
    }
}
