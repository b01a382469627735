package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.GrowingInts;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The session-based protocol (GRU4Rec, NARM, SR-GNN tables): every next item of every test session is a target,
 * scored from the state after the session's items before it. One inference forward over a batch of sessions gives
 * the hidden state at every position; each position's target is ranked against ALL items by the backend's fused
 * score + rank with nothing excluded (the session's earlier items compete too), ties counted against the target.
 * The model and the popularity baseline go through this same code. Its device buffers are grow-only and reused;
 * {@link #close()} frees them. Checked by SessionProtocolTest on hand-made logs.
 */
public final class SessionEvaluator implements AutoCloseable {
    /** Positions scored per backend call: W_out streams once per call, so more rows amortise it better. */
    private static final int POSITIONS_PER_CALL = 2048;

    /** What scores every position: features per packed row, and the item weights and bias they are scored with. */
    public interface Scorer {
        /** [P, F] features of every packed row of the batch, valid until the next call. */
        Tensor features(PackedBatch batch);

        /** [N, F] */
        Tensor weights();

        /** [N] */
        Tensor bias();
    }

    private final Backend backend;
    private final int numItems;
    private final GrowingInts zeros;
    private final GrowingInts none;
    private final GrowingInts targets;
    private final GrowingInts rankBuf;

    public SessionEvaluator(Backend backend, int numItems) {
        this.backend = backend;
        this.numItems = numItems;
        this.zeros = new GrowingInts(backend, POSITIONS_PER_CALL + 1);
        this.none = new GrowingInts(backend, 1);
        this.targets = new GrowingInts(backend, POSITIONS_PER_CALL);
        this.rankBuf = new GrowingInts(backend, POSITIONS_PER_CALL);
    }

    /** Frees the device buffers (the evaluator may be used again: it reallocates). */
    @Override
    public void close() {
        zeros.close();
        none.close();
        targets.close();
        rankBuf.close();
    }

    /** The LSTM: the state after each prefix of the session (no window: the state runs through the whole session). */
    public static Scorer model(LstmNetwork inference, Parameters weights) {
        return new Scorer() {
            @Override
            public Tensor features(PackedBatch batch) {
                return inference.allHidden(batch);
            }

            @Override
            public Tensor weights() {
                return weights.outW();
            }

            @Override
            public Tensor bias() {
                return weights.outB();
            }
        };
    }

    /** The popularity baseline as a one-feature linear model (the same scores at every position). */
    public static Scorer popularity(PopularityScorer popularity) {
        return new Scorer() {
            @Override
            public Tensor features(PackedBatch batch) {
                return popularity.ones(batch.tokens());
            }

            @Override
            public Tensor weights() {
                return popularity.weights();
            }

            @Override
            public Tensor bias() {
                return popularity.bias();
            }
        };
    }

    /** HR@K, MRR@K, NDCG@K for K = 5, 10, 20 averaged over all positions of all sessions. */
    public Metrics evaluate(Scorer scorer, List<int[]> sessions) {
        return Metrics.fromRanks(ranks(scorer, sessions));
    }

    /**
     * 0-based conservative rank of every position's target, session by session in the given order, positions in
     * time order (position i of a session: target {@code s[i + 1]} given {@code s[0..i]}).
     */
    public int[] ranks(Scorer scorer, List<int[]> sessions) {
        long total = 0;
        for (int[] s : sessions) {
            if (s.length < 2) throw new IllegalArgumentException("a test session needs at least 2 items, got " + s.length);
            for (int item : s) {
                if (item < 1 || item > numItems) throw new IllegalArgumentException("item " + item + " outside 1.." + numItems);
            }
            total += s.length - 1;
        }
        if (total > Integer.MAX_VALUE - 8) throw new IllegalArgumentException(total + " test positions are too many for one call");
        int[] ranks = new int[(int) total];
        int done = 0;
        for (int start = 0; start < sessions.size(); ) {
            List<int[]> inputs = new ArrayList<>(), targetLists = new ArrayList<>();
            int positions = 0, end = start;
            while (end < sessions.size() && (positions == 0 || positions + sessions.get(end).length - 1 <= POSITIONS_PER_CALL)) {
                int[] s = sessions.get(end++);
                inputs.add(Arrays.copyOf(s, s.length - 1));
                int[] t = new int[s.length - 1];
                for (int i = 1; i < s.length; i++) t[i - 1] = s[i] - 1;
                targetLists.add(t);
                positions += s.length - 1;
            }
            PackedBatch batch = PackedBatch.pack(inputs, targetLists);
            Tensor h = scorer.features(batch);
            // Zero offsets: no exclusions (the session's earlier items are ranked too).
            IntTensor off = zeros.view(positions + 1);
            backend.uploadInt(off, new int[positions + 1], 0);
            IntTensor tg = targets.view(positions), out = rankBuf.view(positions);
            backend.uploadInt(tg, batch.targets(), 0);
            backend.scoreRank(out, h, scorer.weights(), scorer.bias(), tg, off, none.view(0), RankMode.EXCLUDE);
            int[] packed = new int[positions];
            backend.downloadInt(packed, 0, out);
            // Packed row of (session q, position t) is offset(t) + r, r = the session's slot in every step it runs.
            int[] last = batch.lastRows();
            for (int q = 0; q < inputs.size(); q++) {
                int len = inputs.get(q).length, r = last[q] - batch.offset(len - 1);
                for (int t = 0; t < len; t++) ranks[done + t] = packed[batch.offset(t) + r];
                done += len;
            }
            start = end;
        }
        return ranks;
    }
}
