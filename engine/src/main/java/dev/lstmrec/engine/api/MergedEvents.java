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
 * A stored model's histories with new events appended: the grown catalogue (every stored item keeps its index and id,
 * items never seen before are appended after them in order of first appearance), the merged histories (stored users
 * keep their index, new users come after them), and where each user's new events start. Checked by
 * {@code MergedEventsTest}.
 *
 * <p>A known user's new events must not be older than that user's last stored event (the model keeps each user's last
 * event time): such events are refused, naming the file and line, unless {@code allowOutOfOrder}, which appends them
 * after the stored history in their own time order (the model does not keep the time of every stored event, so it
 * cannot interleave them).
 */
public record MergedEvents(List<String> itemIds, int storedItems, List<String> userIds, int[][] histories, int[] storedLength,
                           long[] lastTimes, long[] newItemCounts, long newEvents, OptionalLong latest) {
    /** Appends {@code events} (read from {@code file}) to {@code model}'s histories and catalogue. */
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
        List<int[]> histories = new ArrayList<>(Arrays.asList(model.histories()));
        List<Integer> storedLength = new ArrayList<>();
        for (int[] h : model.histories()) storedLength.add(h.length);
        boolean timed = events.timed();
        long[] storedTimes = model.lastTimes();
        List<Long> lastTimes = new ArrayList<>();
        for (int u = 0; u < stored; u++) lastTimes.add(storedTimes != null ? storedTimes[u] : Long.MIN_VALUE);
        long[] counts = new long[items.size() + 1];
        long n = 0;
        long latest = Long.MIN_VALUE;
        for (int v = 0; v < events.numUsers(); v++) {
            Integer u = userIndex.get(events.userId(v));
            if (u == null) {
                u = users.size();
                users.add(events.userId(v));
                histories.add(new int[0]);
                storedLength.add(0);
                lastTimes.add(Long.MIN_VALUE);
            } else if (timed && storedTimes != null && events.firstTime(v) < storedTimes[u] && !allowOutOfOrder) {
                throw new DataFormatException(file, events.firstLine(v), "user '" + events.userId(v) + "': an event at "
                        + Instant.ofEpochMilli(events.firstTime(v)) + " is older than the model's last event of this user ("
                        + Instant.ofEpochMilli(storedTimes[u]) + "); an update takes the events after what the model contains"
                        + " (--allow-out-of-order appends them anyway)");
            }
            int[] seq = events.sequence(v);
            int[] old = histories.get(u);
            int[] merged = Arrays.copyOf(old, old.length + seq.length);
            for (int i = 0; i < seq.length; i++) {
                merged[old.length + i] = itemMap[seq[i]];
                counts[itemMap[seq[i]]]++;
            }
            histories.set(u, merged);
            n += seq.length;
            if (timed) {
                lastTimes.set(u, Math.max(lastTimes.get(u), events.lastTime(v)));
                latest = Math.max(latest, events.lastTime(v));
            }
        }
        boolean keepTimes = timed || storedTimes != null;
        long[] times = keepTimes ? lastTimes.stream().mapToLong(Long::longValue).toArray() : null;
        return new MergedEvents(List.copyOf(items), model.itemIds().size(), List.copyOf(users), histories.toArray(int[][]::new),
                storedLength.stream().mapToInt(Integer::intValue).toArray(), times, counts, n,
                latest == Long.MIN_VALUE ? OptionalLong.empty() : OptionalLong.of(latest));
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
