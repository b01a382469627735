package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.GrowingFloats;
import dev.lstmrec.engine.backend.GrowingInts;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.LstmState;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Top-K recommendations from a {@link SavedModel}: reads a history through the LSTM and ranks all items with the
 * backend's fused score + top-K, for one history or a batch of them in one backend pass. Thread-safe (calls are
 * serialised on the backend). Checked by RecommenderBatchTest (batched = one by one) and the serve tests.
 * A recommender made by {@link #owning} (as {@link LstmRec#recommender} does) closes its backend on {@link #close()};
 * one made with the constructor leaves the caller's backend open but frees every tensor it allocated there (weights,
 * network workspace, the grow-only exclusion and output buffers, which are reused by every batch).
 */
public final class Recommender implements AutoCloseable {
    private final SavedModel model;
    private final Backend backend;
    private final Parameters weights;
    private final LstmNetwork network;
    private final Map<String, Integer> itemIndex;
    private final Map<String, Integer> userIndex;
    private final GrowingInts offsetsBuf;
    private final GrowingInts excludeBuf;
    private final GrowingInts outIndexBuf;
    private final GrowingFloats outScoreBuf;
    private final GrowingFloats stateBuf;
    private final UserStates states = new UserStates(0);
    private final boolean ownsBackend;
    private boolean closed;

    /** A recommender over {@code model} on the caller's {@code backend}, which {@link #close()} leaves open. */
    public Recommender(SavedModel model, Backend backend) {
        this(model, backend, false);
    }

    /** A recommender that owns {@code backend}: {@link #close()} closes it. */
    public static Recommender owning(SavedModel model, Backend backend) {
        return new Recommender(model, backend, true);
    }

    private Recommender(SavedModel model, Backend backend, boolean ownsBackend) {
        this.ownsBackend = ownsBackend;
        this.model = model;
        this.backend = backend;
        this.weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
        backend.upload(weights.slab(), model.weights(), 0);
        this.network = new LstmNetwork(backend, weights, null);
        this.offsetsBuf = new GrowingInts(backend, 65);
        this.excludeBuf = new GrowingInts(backend, 1024);
        this.outIndexBuf = new GrowingInts(backend, 64 * 10);
        this.outScoreBuf = new GrowingFloats(backend, 64 * 10);
        this.stateBuf = new GrowingFloats(backend, 64 * LstmState.floatsPerRow(model.config()));
        this.itemIndex = model.itemIndex();
        this.userIndex = model.userIndex();
    }

    /** The model this recommender serves. */
    public SavedModel model() {
        return model;
    }

    /** Name of the backend this recommender computes on (e.g. {@code scalar}). */
    public String backendName() {
        return backend.name();
    }

    /** The backend's one-line description (threads, vector width, device). */
    public String backendDescription() {
        return backend.description();
    }

    /** The stored history of a known user (internal items), or null when the user is unknown. */
    public int[] userHistory(String userId) {
        Integer u = userIndex.get(userId);
        return u == null ? null : model.histories()[u];
    }

    /** Internal index of an external item id, or -1. */
    public int item(String itemId) {
        return itemIndex.getOrDefault(itemId, -1);
    }

    /** External ids among {@code ids} that the model does not know, in order. */
    public List<String> unknownItems(Collection<String> ids) {
        List<String> unknown = new ArrayList<>();
        for (String id : ids) if (!itemIndex.containsKey(id)) unknown.add(id);
        return unknown;
    }

    /**
     * The k best items after {@code history} (internal items 1..N, time order; must be non-empty). One query of
     * {@link #recommendBatch}.
     *
     * @param excludeSeen drop the history's items from the results
     * @param exclude     further internal items to drop
     */
    public List<Recommendation> recommend(int[] history, int k, boolean excludeSeen, Set<Integer> exclude) {
        Set<Integer> drop = new LinkedHashSet<>(exclude);
        if (excludeSeen) for (int item : history) drop.add(item);
        return recommendBatch(List.of(history), new int[] {k}, List.of(drop)).get(0);
    }

    /**
     * Top-K for many histories in one backend pass: each history's window ({@link ModelScorer#window}) is read by the
     * LSTM from a zero state, all rows in one packed batch, and one fused score + top-K ranks every row at the largest
     * k with per-row exclusions; each row is then cut to its own k. Because top-K breaks ties by the lower index, a
     * row's top-k is exactly the first k of its top-kmax, so a query gets the same answer alone or in any batch
     * (scores may differ by float rounding on backends whose GEMM blocking depends on the batch size).
     *
     * @param histories per query, internal items 1..N in time order, non-empty
     * @param k         per query, positive; values above N are clamped to N
     * @param exclude   per query, internal items to leave out (add the history for "exclude seen"); items outside
     *                  1..N are ignored
     * @return per query, in order, up to k recommendations, best first (fewer when exclusions leave fewer items)
     */
    public List<List<Recommendation>> recommendBatch(List<int[]> histories, int[] k, List<? extends Collection<Integer>> exclude) {
        return recommendBatch(null, histories, k, exclude);
    }

    /**
     * As {@link #recommendBatch(List, int[], List)}, with user keys: a keyed query is answered from the user's carried
     * LSTM state ({@link #setStateCacheBytes}) when its history extends the items that state has read within the same
     * window; the state is then advanced by one step per new item instead of re-reading the window, and kept for the
     * next query. Otherwise (no state, a changed history, a window restart every maxLen items) the window is read
     * afresh and its state kept. Either way the answer is that of the unkeyed query, up to float rounding (exactly on
     * the scalar backend). A key repeated within one batch is carried for its first query only.
     *
     * @param userKeys per query, the user's key or null for an unkeyed query; the list itself may be null (none keyed)
     */
    public synchronized List<List<Recommendation>> recommendBatch(List<String> userKeys, List<int[]> histories, int[] k,
                                                                  List<? extends Collection<Integer>> exclude) {
        if (closed) throw new IllegalStateException("recommender is closed");
        int b = histories.size();
        if (b == 0) throw new IllegalArgumentException("no histories to recommend for");
        if (k.length != b || exclude.size() != b || (userKeys != null && userKeys.size() != b)) {
            throw new IllegalArgumentException(b + " histories but " + k.length + " k values, " + exclude.size()
                    + " exclusion sets" + (userKeys == null ? "" : " and " + userKeys.size() + " user keys"));
        }
        int n = model.config().numItems(), maxLen = model.config().maxLen();
        for (int r = 0; r < b; r++) {
            int[] history = histories.get(r);
            if (history.length == 0) throw new IllegalArgumentException("history " + r + " is empty: nothing to recommend from");
            for (int item : history) {
                if (item < 1 || item > n) throw new IllegalArgumentException("item index " + item + " outside 1.." + n);
            }
            if (k[r] <= 0) throw new IllegalArgumentException("k must be positive, got " + k[r]);
        }
        StatePlan plan = StatePlan.of(userKeys, histories, maxLen, states);
        LstmState state = readHistories(histories, plan);
        List<List<Recommendation>> ranked = scoreTopK(state.top(), plan.order(), k, exclude);
        if (plan.keyed() > 0) keepStates(plan, histories, state);
        return ranked;
    }

    /**
     * The state after every query's window, in plan order: carried rows first (uploaded, then advanced by one step per
     * new item, the rows with more new items first so each step's rows are a prefix), then a fresh pass over the rest.
     */
    private LstmState readHistories(List<int[]> histories, StatePlan plan) {
        int b = plan.order().length, carried = plan.carried().size();
        LstmState state = LstmState.over(stateBuf.view(b * LstmState.floatsPerRow(model.config())), model.config(), b);
        if (carried > 0) {
            float[] host = new float[b * LstmState.floatsPerRow(model.config())];
            for (int i = 0; i < carried; i++) LstmState.putRow(host, model.config(), b, i, plan.carried().get(i).state());
            backend.upload(stateBuf.view(host.length), host, 0);
            for (int step = 0; ; step++) {
                int rows = 0;
                while (rows < carried && plan.pending(rows) > step) rows++;
                if (rows == 0) break;
                int[] items = new int[rows];
                for (int i = 0; i < rows; i++) items[i] = histories.get(plan.order()[i])[plan.carried().get(i).end() + step];
                network.step(state, items);
            }
        }
        if (carried < b) {
            List<int[]> windows = new ArrayList<>(b - carried);
            for (int i = carried; i < b; i++) windows.add(ModelScorer.window(histories.get(plan.order()[i]), model.config().maxLen()));
            network.finalState(PackedBatch.pack(windows, null), state.rows(carried, b - carried));
        }
        return state;
    }

    /** Fused score + top-K of the rows of {@code h} (plan order), returned in query order. */
    private List<List<Recommendation>> scoreTopK(Tensor h, int[] order, int[] k, List<? extends Collection<Integer>> exclude) {
        int b = order.length, n = model.config().numItems(), kMax = 0;
        int[] offsets = new int[b + 1];
        for (int i = 0; i < b; i++) {
            int r = order[i];
            kMax = Math.max(kMax, Math.min(k[r], n));
            int valid = 0;
            for (int item : exclude.get(r)) if (item >= 1 && item <= n) valid++;
            offsets[i + 1] = offsets[i] + valid;
        }
        int[] ex = new int[offsets[b]];
        for (int i = 0, e = 0; i < b; i++) {
            for (int item : exclude.get(order[i])) if (item >= 1 && item <= n) ex[e++] = item - 1;
        }
        IntTensor offsetsT = offsetsBuf.view(b + 1), exT = excludeBuf.view(ex.length);
        IntTensor outIndex = outIndexBuf.view(b, kMax);
        Tensor outScore = outScoreBuf.view(b, kMax);
        backend.uploadInt(offsetsT, offsets, 0);
        if (ex.length > 0) backend.uploadInt(exT, ex, 0);
        backend.scoreTopK(outIndex, outScore, h, weights.outW(), weights.outB(), offsetsT, exT);
        int[] idx = new int[b * kMax];
        float[] sc = new float[b * kMax];
        backend.downloadInt(idx, 0, outIndex);
        backend.download(sc, 0, outScore);
        List<List<Recommendation>> out = new ArrayList<>(Collections.nCopies(b, null));
        for (int i = 0; i < b; i++) {
            int kr = Math.min(k[order[i]], n);
            List<Recommendation> row = new ArrayList<>(kr);
            for (int j = i * kMax; j < i * kMax + kr && idx[j] >= 0; j++) {
                row.add(new Recommendation(model.itemIds().get(idx[j]), idx[j] + 1, sc[j]));
            }
            out.set(order[i], row);
        }
        return out;
    }

    /** Stores the state of every keyed row (carried or fresh) for the user's next query. */
    private void keepStates(StatePlan plan, List<int[]> histories, LstmState state) {
        int b = plan.order().length;
        float[] host = new float[b * LstmState.floatsPerRow(model.config())];
        backend.download(host, 0, stateBuf.view(host.length));
        for (int i = 0; i < b; i++) {
            String key = plan.key(i);
            if (key == null) continue;
            int[] history = histories.get(plan.order()[i]);
            int start = ModelScorer.windowStart(history.length, model.config().maxLen());
            states.put(key, history, start, history.length, LstmState.rowOf(host, model.config(), b, i));
        }
    }

    /** Most history positions {@link #explain} examines by default: the window's last 50 (cost: one sequence each). */
    public static final int EXPLAIN_POSITIONS = 50;

    /**
     * Explains recommendations by occlusion, exactly for the model: for each of {@code recommendations} (items to
     * score after {@code history}, usually the answer of {@link #recommend}), the history items whose removal lowers
     * that item's score most, with the drop {@code score(window) - score(window without that position)}. The window
     * is the one the model reads ({@link ModelScorer#window}); each of its last {@code maxPositions} positions is
     * left out in turn (the rest of the window is read unchanged from a zero state), and the full window and the
     * occluded ones run as one batched forward of W + 1 sequences (W = min(window, maxPositions)); then only the
     * recommended items are scored, with the same GEMM for all rows. Cost: W extra sequences of the window's length
     * per request (about W + 1 times a single query's LSTM work, batched) plus (W + 1)·K dot products. A one-item
     * history has nothing to leave out and gets no contributions.
     *
     * @param top          contributions kept per item, largest drop first (only removals that lower the score)
     * @param maxPositions most window positions examined, the latest first ({@link #EXPLAIN_POSITIONS} is the default)
     * @return one explanation per recommendation, in order
     */
    public synchronized List<Explanation> explain(int[] history, List<Recommendation> recommendations, int top, int maxPositions) {
        if (closed) throw new IllegalStateException("recommender is closed");
        if (top < 1) throw new IllegalArgumentException("contributions per item must be positive, got " + top);
        if (maxPositions < 1) throw new IllegalArgumentException("positions to examine must be positive, got " + maxPositions);
        int n = model.config().numItems(), k = recommendations.size();
        for (int item : history) if (item < 1 || item > n) throw new IllegalArgumentException("item index " + item + " outside 1.." + n);
        for (Recommendation r : recommendations) {
            if (r.item() < 1 || r.item() > n) throw new IllegalArgumentException("recommended item index " + r.item() + " outside 1.." + n);
        }
        int start = ModelScorer.windowStart(history.length, model.config().maxLen());
        int[] window = Arrays.copyOfRange(history, start, history.length);
        int examined = window.length < 2 ? 0 : Math.min(window.length, maxPositions);
        List<Explanation> out = new ArrayList<>(k);
        if (k == 0) return out;
        if (examined == 0) {
            for (Recommendation r : recommendations) out.add(new Explanation(r, List.of()));
            return out;
        }
        List<int[]> sequences = new ArrayList<>(examined + 1);
        sequences.add(window);
        for (int i = 0; i < examined; i++) {
            int p = window.length - 1 - i; // latest positions first
            int[] without = new int[window.length - 1];
            System.arraycopy(window, 0, without, 0, p);
            System.arraycopy(window, p + 1, without, p, window.length - 1 - p);
            sequences.add(without);
        }
        float[] scores = scoreItems(network.finalHidden(PackedBatch.pack(sequences, null)), recommendations);
        for (int j = 0; j < k; j++) {
            List<Explanation.Contribution> c = new ArrayList<>();
            for (int i = 0; i < examined; i++) {
                float drop = scores[j] - scores[(i + 1) * k + j];
                int p = window.length - 1 - i, item = window[p];
                if (drop > 0) c.add(new Explanation.Contribution(start + p, model.itemIds().get(item - 1), item, drop));
            }
            c.sort(Comparator.comparingDouble((Explanation.Contribution x) -> -x.drop()).thenComparingInt(x -> -x.position()));
            out.add(new Explanation(recommendations.get(j), List.copyOf(c.subList(0, Math.min(top, c.size())))));
        }
        return out;
    }

    /** Scores [rows, K] (row-major, on the host) of the recommended items for every row of {@code h}: h·w_j + b_j. */
    private float[] scoreItems(Tensor h, List<Recommendation> items) {
        int rows = h.dim(0), k = items.size(), hd = model.config().hiddenDim(), n = model.config().numItems();
        int[] idx = new int[k];
        for (int j = 0; j < k; j++) idx[j] = items.get(j).item() - 1;
        IntTensor ids = outIndexBuf.view(k);
        backend.uploadInt(ids, idx, 0);
        Tensor gathered = outScoreBuf.view(k * hd + k + rows * k);
        Tensor w = gathered.view(0, k, hd), b = gathered.view((long) k * hd, k, 1), s = gathered.view((long) k * hd + k, rows, k);
        backend.embeddingForward(w, weights.outW(), ids);
        backend.embeddingForward(b, weights.outB().reshape(n, 1), ids);
        backend.gemm(s, false, h, true, w, 1f, 0f);
        backend.addBias(s, b.reshape(k));
        float[] out = new float[rows * k];
        backend.download(out, 0, s);
        return out;
    }

    /**
     * Bounds the per-user state cache of keyed queries to {@code maxBytes} of estimated heap (least recently used
     * users evicted first; 0, the default, keeps none). A state takes about 2·layers·hidden floats plus the window's
     * items (maxLen to 2·maxLen - 1 ints): 1.5 to 2.3 KB for ML-100K's defaults (64 wide, one layer, max-len 200).
     */
    public void setStateCacheBytes(long maxBytes) {
        states.setMaxBytes(maxBytes);
    }

    /**
     * The users whose states this recommender holds, most recently used first, up to {@code max}: a server swapping in
     * a new model computes these users' states under the new weights before the swap, so their next requests stay
     * one step each instead of all re-reading their windows at once.
     */
    public synchronized List<String> recentStateKeys(int max) {
        return states.recentKeys(max);
    }

    /** Counters and size of the state cache (for monitoring, e.g. the server's /info). */
    public UserStates.Stats stateCacheStats() {
        return states.stats();
    }

    /** Convenience: external ids in, external ids out; unknown ids are an error naming them. */
    public List<Recommendation> recommend(List<String> historyIds, int k) {
        List<String> unknown = unknownItems(historyIds);
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown item ids: " + String.join(", ", unknown));
        int[] h = historyIds.stream().mapToInt(this::item).toArray();
        return recommend(h, k, true, Set.of());
    }

    /**
     * Frees this recommender's tensors and closes the backend when this recommender owns it (see {@link #owning});
     * later calls fail. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            offsetsBuf.close();
            excludeBuf.close();
            outIndexBuf.close();
            outScoreBuf.close();
            stateBuf.close();
            network.close();
            weights.close();
        } finally {
            if (ownsBackend) backend.close();
        }
    }

    @Override
    public String toString() {
        return "Recommender" + Arrays.asList(model.config());
    }
}
