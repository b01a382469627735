package dev.lstmrec.engine.api;

import dev.lstmrec.engine.data.DataFormatException;
import dev.lstmrec.engine.data.Dataset;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A stored model's histories with new events merged in: the grown catalogue (every stored item keeps its index and id,
 * items never seen before are appended after them in order of first appearance), the merged histories (stored users
 * keep their index, new users come after them), and where each user's new events lie. Checked by {@code UpdateTest}.
 *
 * <p>A known user's new events must not be older than that user's last stored event: such events are refused, naming
 * the file and line, unless {@code allowOutOfOrder}. Timed new events are merged into the stored history by time
 * (stable: a stored event stays before a new one of the same time), so an out-of-order event lands where it happened.
 * Where the model keeps no per-event times (a file written before them) its stored events count as older than every
 * timed event, so out-of-order events go after them. Untimed new events are appended.
 *
 * @param storedLength how many of each user's events the model held
 * @param firstNew     position of each user's earliest new event in the merged history (its length when none)
 * @param lastNew      position of each user's latest new event (-1 when none)
 * @param eventTimes   the time of every merged event, or null when the new events have no times
 */
public record MergedEvents(List<String> itemIds, int storedItems, List<String> userIds, int[][] histories, int[] storedLength,
                           int[] firstNew, int[] lastNew, long[] lastTimes, long[][] eventTimes, long[] newItemCounts, long newEvents,
                           OptionalLong latest) {
    /** Merges {@code events} (read from {@code file}) into {@code model}'s histories and catalogue. */
    public static MergedEvents merge(SavedModel model, Dataset events, Path file, boolean allowOutOfOrder) throws DataFormatException {
        List<String> items = new ArrayList<>(model.itemIds());
        Map<String, Integer> itemIndex = model.itemIndex();
        int[] itemMap = new int[events.numItems() + 1];
        for (int i = 1; i <= events.numItems(); i++) {
            Integer known = itemIndex.get(events.itemId(i));
            if (known == null) {
                items.add(events.itemId(i));
                known = items.size();
            }
            itemMap[i] = known;
        }
        List<String> users = new ArrayList<>(model.userIds());
        Map<String, Integer> userIndex = model.userIndex();
        int stored = model.userIds().size();
        int total = stored;
        for (int v = 0; v < events.numUsers(); v++) if (!userIndex.containsKey(events.userId(v))) total++;
        int[][] histories = Arrays.copyOf(model.histories(), total);
        int[] storedLength = new int[total], firstNew = new int[total], lastNew = new int[total];
        boolean timed = events.timed();
        long[] storedTimes = model.lastTimes();
        long[] lastTimes = new long[total];
        long[][] times = timed ? new long[total][] : null;
        for (int u = 0; u < total; u++) {
            int[] h = u < stored ? histories[u] : new int[0];
            histories[u] = h;
            storedLength[u] = h.length;
            firstNew[u] = h.length;
            lastNew[u] = -1;
            lastTimes[u] = u < stored && storedTimes != null ? storedTimes[u] : Long.MIN_VALUE;
            if (timed) times[u] = storedEventTimes(model, u, h.length);
        }
        long[] counts = new long[items.size() + 1];
        long n = 0;
        long latest = Long.MIN_VALUE;
        for (int v = 0; v < events.numUsers(); v++) {
            Integer u = userIndex.get(events.userId(v));
            if (u == null) {
                u = users.size();
                users.add(events.userId(v));
            } else if (timed && storedTimes != null && events.firstTime(v) < storedTimes[u] && !allowOutOfOrder) {
                throw new DataFormatException(file, events.firstLine(v), "user '" + events.userId(v) + "': an event at "
                        + Instant.ofEpochMilli(events.firstTime(v)) + " is older than the model's last event of this user ("
                        + Instant.ofEpochMilli(storedTimes[u]) + "); an update takes the events after what the model contains"
                        + " (--allow-out-of-order merges them into the stored history by time)");
            }
            int[] seq = events.sequence(v);
            for (int item : seq) counts[itemMap[item]]++;
            n += seq.length;
            if (timed) {
                mergeByTime(histories, times, firstNew, lastNew, u, events, v, itemMap);
                lastTimes[u] = Math.max(lastTimes[u], events.lastTime(v));
                latest = Math.max(latest, events.lastTime(v));
            } else {
                int[] old = histories[u];
                int[] merged = Arrays.copyOf(old, old.length + seq.length);
                for (int i = 0; i < seq.length; i++) merged[old.length + i] = itemMap[seq[i]];
                histories[u] = merged;
                firstNew[u] = old.length;
                lastNew[u] = merged.length - 1;
            }
        }
        boolean keepTimes = timed || storedTimes != null;
        return new MergedEvents(List.copyOf(items), model.itemIds().size(), List.copyOf(users), histories, storedLength, firstNew, lastNew,
                keepTimes ? lastTimes : null, times, counts, n, latest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(latest));
    }

    /** User u's stored event times, {@link SavedModel#UNKNOWN_TIME} where the model does not keep them. */
    private static long[] storedEventTimes(SavedModel model, int u, int length) {
        if (model.eventTimes() != null && u < model.eventTimes().length) return model.eventTimes()[u];
        long[] t = new long[length];
        Arrays.fill(t, SavedModel.UNKNOWN_TIME);
        return t;
    }

    /** Merges event user v's (time-ordered) events into user u's history by time, a stored event first on equal times. */
    private static void mergeByTime(int[][] histories, long[][] times, int[] firstNew, int[] lastNew, int u, Dataset events, int v,
                                    int[] itemMap) {
        int[] old = histories[u];
        long[] oldTimes = times[u];
        int k = events.sequenceLength(v);
        int[] h = new int[old.length + k];
        long[] t = new long[h.length];
        int a = 0, b = 0, first = -1, last = -1;
        for (int i = 0; i < h.length; i++) {
            if (b < k && (a == old.length || events.timeAt(v, b) < oldTimes[a])) {
                h[i] = itemMap[events.itemAt(v, b)];
                t[i] = events.timeAt(v, b++);
                if (first < 0) first = i;
                last = i;
            } else {
                h[i] = old[a];
                t[i] = oldTimes[a++];
            }
        }
        histories[u] = h;
        times[u] = t;
        firstNew[u] = first;
        lastNew[u] = last;
    }

    /** Items in the grown catalogue. */
    public int numItems() {
        return itemIds.size();
    }

    /** Items the events brought that the model did not know. */
    public int newItems() {
        return itemIds.size() - storedItems;
    }

    /** How many of user {@code u}'s events are new. */
    public int newCount(int u) {
        return histories[u].length - storedLength[u];
    }
}
