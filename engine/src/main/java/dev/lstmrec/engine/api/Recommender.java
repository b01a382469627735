package dev.lstmrec.engine.api;

import dev.lstmrec.engine.backend.Backend;
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
 * backend's fused score + top-K. Thread-safe (calls are serialised on the backend).
 */
public final class Recommender {
    private final SavedModel model;
    private final Backend backend;
    private final Parameters weights;
    private final LstmNetwork network;
    private final Map<String, Integer> itemIndex;
    private final Map<String, Integer> userIndex;

    public Recommender(SavedModel model, Backend backend) {
        this.model = model;
        this.backend = backend;
        this.weights = new Parameters(backend, model.config(), new ParameterLayout(model.config()));
        backend.upload(weights.slab(), model.weights(), 0);
        this.network = new LstmNetwork(backend, weights, null);
        this.itemIndex = model.itemIndex();
        this.userIndex = model.userIndex();
    }

    public SavedModel model() {
        return model;
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
     * The k best items after {@code history} (internal items 1..N, time order; must be non-empty).
     *
     * @param excludeSeen drop the history's items from the results
     * @param exclude     further internal items to drop
     */
    public synchronized List<Recommendation> recommend(int[] history, int k, boolean excludeSeen, Set<Integer> exclude) {
        if (history.length == 0) throw new IllegalArgumentException("history is empty: nothing to recommend from");
        int n = model.config().numItems();
        if (k <= 0) throw new IllegalArgumentException("k must be positive, got " + k);
        k = Math.min(k, n);
        for (int item : history) {
            if (item < 1 || item > n) throw new IllegalArgumentException("item index " + item + " outside 1.." + n);
        }
        Set<Integer> drop = new LinkedHashSet<>(exclude);
        if (excludeSeen) for (int item : history) drop.add(item);
        int[] ex = drop.stream().filter(i -> i >= 1 && i <= n).mapToInt(i -> i - 1).toArray();
        Tensor h = network.finalHidden(PackedBatch.pack(List.of(ModelScorer.window(history, model.config().maxLen())), null));
        IntTensor offsets = backend.allocateInt(2);
        backend.uploadInt(offsets, new int[] {0, ex.length}, 0);
        IntTensor list = backend.allocateInt(ex.length);
        backend.uploadInt(list, ex, 0);
        IntTensor outIndex = backend.allocateInt(1, k);
        Tensor outScore = backend.allocate(1, k);
        backend.scoreTopK(outIndex, outScore, h, weights.outW(), weights.outB(), offsets, list);
        int[] idx = new int[k];
        float[] sc = new float[k];
        backend.downloadInt(idx, 0, outIndex);
        backend.download(sc, 0, outScore);
        List<Recommendation> out = new ArrayList<>(k);
        for (int i = 0; i < k && idx[i] >= 0; i++) out.add(new Recommendation(model.itemIds().get(idx[i]), idx[i] + 1, sc[i]));
        return out;
    }

    /** Convenience: external ids in, external ids out; unknown ids are an error naming them. */
    public List<Recommendation> recommend(List<String> historyIds, int k) {
        List<String> unknown = unknownItems(historyIds);
        if (!unknown.isEmpty()) throw new IllegalArgumentException("unknown item ids: " + String.join(", ", unknown));
        int[] h = historyIds.stream().mapToInt(this::item).toArray();
        return recommend(h, k, true, Set.of());
    }

    @Override
    public String toString() {
        return "Recommender" + Arrays.asList(model.config());
    }
}
