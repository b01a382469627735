package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.GrowingFloats;
import dev.lstmrec.engine.backend.GrowingInts;
import dev.lstmrec.engine.eval.ModelScorer;
import dev.lstmrec.engine.model.LstmNetwork;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.model.Parameters;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
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
     * Top-K for many histories in one backend pass: the histories (their last maxLen items) are packed into one
     * batch, the LSTM runs once, and one fused score + top-K ranks every row at the largest k with per-row
     * exclusions; each row is then cut to its own k. Because top-K breaks ties by the lower index, a row's top-k is
     * exactly the first k of its top-kmax, so a query gets the same answer alone or in any batch (scores may differ
     * by float rounding on backends whose GEMM blocking depends on the batch size).
     *
     * @param histories per query, internal items 1..N in time order, non-empty
     * @param k         per query, positive; values above N are clamped to N
     * @param exclude   per query, internal items to leave out (add the history for "exclude seen"); items outside
     *                  1..N are ignored
     * @return per query, in order, up to k recommendations, best first (fewer when exclusions leave fewer items)
     */
    public synchronized List<List<Recommendation>> recommendBatch(List<int[]> histories, int[] k,
                                                                  List<? extends Collection<Integer>> exclude) {
        if (closed) throw new IllegalStateException("recommender is closed");
        int b = histories.size();
        if (b == 0) throw new IllegalArgumentException("no histories to recommend for");
        if (k.length != b || exclude.size() != b) {
            throw new IllegalArgumentException(b + " histories but " + k.length + " k values and " + exclude.size() + " exclusion sets");
        }
        int n = model.config().numItems();
        int kMax = 0;
        List<int[]> windows = new ArrayList<>(b);
        int[] offsets = new int[b + 1];
        for (int r = 0; r < b; r++) {
            int[] history = histories.get(r);
            if (history.length == 0) throw new IllegalArgumentException("history " + r + " is empty: nothing to recommend from");
            for (int item : history) {
                if (item < 1 || item > n) throw new IllegalArgumentException("item index " + item + " outside 1.." + n);
            }
            if (k[r] <= 0) throw new IllegalArgumentException("k must be positive, got " + k[r]);
            kMax = Math.max(kMax, Math.min(k[r], n));
            windows.add(ModelScorer.window(history, model.config().maxLen()));
            int valid = 0;
            for (int item : exclude.get(r)) if (item >= 1 && item <= n) valid++;
            offsets[r + 1] = offsets[r] + valid;
        }
        int[] ex = new int[offsets[b]];
        for (int r = 0, e = 0; r < b; r++) {
            for (int item : exclude.get(r)) if (item >= 1 && item <= n) ex[e++] = item - 1;
        }
        Tensor h = network.finalHidden(PackedBatch.pack(windows, null));
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
        List<List<Recommendation>> out = new ArrayList<>(b);
        for (int r = 0; r < b; r++) {
            int kr = Math.min(k[r], n);
            List<Recommendation> row = new ArrayList<>(kr);
            for (int i = r * kMax; i < r * kMax + kr && idx[i] >= 0; i++) {
                row.add(new Recommendation(model.itemIds().get(idx[i]), idx[i] + 1, sc[i]));
            }
            out.add(row);
        }
        return out;
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
