package dev.lstmrec.engine.api;

// How Recommender.recommendBatch reads one batch of histories: which queries carry a cached state (looked up once,
// here, so the cache's counters count each query once) and the row order of the batch: carried rows first, sorted by
// how many new items they must step through (most first, so the rows still stepping are always a prefix), then the
// rows read afresh.

import dev.lstmrec.engine.eval.ModelScorer;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

final class StatePlan {
    private final int[] order;
    private final List<UserStates.Entry> carried;
    private final int[] pending;
    private final String[] keys;
    private final int keyed;

    private StatePlan(int[] order, List<UserStates.Entry> carried, int[] pending, String[] keys, int keyed) {
        this.order = order;
        this.carried = carried;
        this.pending = pending;
        this.keys = keys;
        this.keyed = keyed;
    }

    /** @param userKeys per query the user key or null; null for none */
    static StatePlan of(List<String> userKeys, List<int[]> histories, int maxLen, UserStates states) {
        int b = histories.size();
        UserStates.Entry[] found = new UserStates.Entry[b];
        String[] keyOf = new String[b];
        Set<String> seen = new HashSet<>();
        int keyed = 0;
        for (int r = 0; r < b; r++) {
            String key = userKeys == null ? null : userKeys.get(r);
            if (key == null || !seen.add(key)) continue;
            keyOf[r] = key;
            keyed++;
            int[] h = histories.get(r);
            found[r] = states.find(key, h, ModelScorer.windowStart(h.length, maxLen));
        }
        Integer[] rows = new Integer[b];
        for (int r = 0; r < b; r++) rows[r] = r;
        // carried rows (most new items first), then fresh rows in query order; the sort is stable
        Arrays.sort(rows, Comparator.comparingInt(r -> found[r] == null ? 1 : -1 - (histories.get(r).length - found[r].end())));
        int[] order = new int[b];
        String[] keys = new String[b];
        List<UserStates.Entry> carried = new ArrayList<>();
        int[] pending = new int[b];
        for (int i = 0; i < b; i++) {
            int r = rows[i];
            order[i] = r;
            keys[i] = keyOf[r];
            if (found[r] != null) {
                carried.add(found[r]);
                pending[i] = histories.get(r).length - found[r].end();
            }
        }
        return new StatePlan(order, carried, pending, keys, keyed);
    }

    /** Query index of each row, in row order. */
    int[] order() {
        return order;
    }

    /** The carried states: rows 0 .. carried().size() - 1. */
    List<UserStates.Entry> carried() {
        return carried;
    }

    /** New items that carried row i must step through. */
    int pending(int i) {
        return pending[i];
    }

    /** The user key of row i, or null when its state is not to be kept. */
    String key(int i) {
        return keys[i];
    }

    /** Rows whose state is to be kept. */
    int keyed() {
        return keyed;
    }
}
