package dev.lstmrec.engine.api;

// The per-user LSTM state cache behind keyed queries (Recommender.recommendBatch with user keys): each entry holds the
// state after reading a user's window [start, end) and those items themselves, so a query is served from it only
// when its history provably extends what the state has read. Bounded by bytes, least recently used evicted. Checked
// by RecommenderStateCacheTest (counters, eviction, stale histories) and the carried-state conformance suite.

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Carried LSTM states by user key, bounded by an estimate of their heap bytes; counters for monitoring
 * ({@link #stats()}). Thread-safe; the Recommender calls it from its scoring calls only.
 */
public final class UserStates {
    /** Estimated fixed bytes of an entry beyond its arrays and key: map node, entry record, array headers. */
    private static final int ENTRY_OVERHEAD = 128;

    /**
     * Counters since the cache was made, and its size now.
     *
     * @param hits      keyed queries answered from a carried state (advanced by the history's new items, if any)
     * @param misses    keyed queries whose user had no state (first query, or evicted): a fresh pass
     * @param stale     keyed queries whose history does not extend the cached one (changed or shorter): a fresh pass
     * @param restarts  keyed queries whose window start moved (every maxLen events): a fresh pass over the new window
     * @param steps     single LSTM steps run to bring carried states up to date
     * @param evictions states dropped to stay within the bound (a state larger than the whole bound is not kept)
     * @param users     states held now
     * @param bytes     their estimated heap bytes
     * @param maxBytes  the bound
     */
    public record Stats(long hits, long misses, long stale, long restarts, long steps, long evictions, int users,
                        long bytes, long maxBytes) {}

    /** A carried state: after reading {@code items} = history[start, start + items.length) from a zero state. */
    record Entry(int start, int[] items, float[] state) {
        int end() {
            return start + items.length;
        }

        long bytes(String key) {
            return ENTRY_OVERHEAD + 2L * key.length() + 4L * items.length + 4L * state.length;
        }
    }

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long maxBytes;
    private long bytes;
    private long hits, misses, stale, restarts, steps, evictions;

    /** @param maxBytes bound on the states' estimated heap bytes; 0 keeps nothing (every keyed query recomputes) */
    UserStates(long maxBytes) {
        setMaxBytes(maxBytes);
    }

    /** Changes the bound, evicting least recently used states beyond it. */
    synchronized void setMaxBytes(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("state cache bound must be >= 0 bytes, got " + maxBytes);
        this.maxBytes = maxBytes;
        evictBeyond(maxBytes);
    }

    /**
     * The state to carry for a query of {@code key} over {@code history} whose window starts at {@code start}, or
     * null (counted as a miss, a stale state or a window restart) when there is none that the history extends.
     */
    synchronized Entry find(String key, int[] history, int start) {
        Entry e = entries.get(key);
        if (e == null) {
            misses++;
            return null;
        }
        if (e.start() != start) {
            if (historyExtends(e, history)) restarts++;
            else stale++;
            return null;
        }
        if (!historyExtends(e, history)) {
            stale++;
            return null;
        }
        hits++;
        steps += history.length - e.end();
        return e;
    }

    private static boolean historyExtends(Entry e, int[] history) {
        return history.length >= e.end() && Arrays.equals(history, e.start(), e.end(), e.items(), 0, e.items().length);
    }

    /** Keeps the state after reading {@code history[start, end)}: the covered items are copied. */
    synchronized void put(String key, int[] history, int start, int end, float[] state) {
        Entry e = new Entry(start, Arrays.copyOfRange(history, start, end), state);
        Entry old = entries.remove(key);
        if (old != null) bytes -= old.bytes(key);
        long size = e.bytes(key);
        if (size > maxBytes) {
            if (maxBytes > 0) evictions++;
            return;
        }
        evictBeyond(maxBytes - size);
        entries.put(key, e);
        bytes += size;
    }

    private void evictBeyond(long limit) {
        for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); bytes > limit && it.hasNext(); ) {
            Map.Entry<String, Entry> eldest = it.next();
            bytes -= eldest.getValue().bytes(eldest.getKey());
            it.remove();
            evictions++;
        }
    }

    /** The keys of up to {@code max} states held, most recently used first (what a new model should carry first). */
    synchronized List<String> recentKeys(int max) {
        List<String> keys = new ArrayList<>(entries.keySet()); // access order: least recently used first
        Collections.reverse(keys);
        return keys.size() <= max ? keys : new ArrayList<>(keys.subList(0, max));
    }

    /** Counters and size now. */
    public synchronized Stats stats() {
        return new Stats(hits, misses, stale, restarts, steps, evictions, entries.size(), bytes, maxBytes);
    }
}
