package dev.lstmrec.serve;

// The users' current histories for one served model: the history stored in the model followed by the events the
// server accepted since (in journal order). Events whose item the model does not know are kept in place (they are
// real events and the next model will know them) but are not part of the history the LSTM reads.
// Checked by LiveHistoriesTest (stored + events, unknown items, new users, counters, concurrent readers) and through
// the server by LiveEventsTest.

import dev.lstmrec.engine.api.SavedModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stored histories plus applied events, per user. {@link #apply} is called by one thread at a time (in journal
 * order; {@link LiveModel} serialises it); every read may run concurrently with it and sees a prefix of the events.
 */
final class LiveHistories {
    private final SavedModel model;
    private final Map<String, Integer> itemIndex;
    private final Map<String, Integer> userIndex;
    private final ConcurrentHashMap<String, UserEvents> events = new ConcurrentHashMap<>();
    /** Distinct item ids among the applied events that the model does not know. */
    private final Map<String, Boolean> unknownItems = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong newUsers = new AtomicLong();

    /**
     * A user's current history.
     *
     * @param items   external item ids in order: the stored history, then the events
     * @param stored  how many of them come from the model
     * @param waiting the items among the events the model does not know (in order, repeated as they occur): kept
     *                and journaled, not read by the LSTM until a model knows them
     */
    record History(List<String> items, int stored, List<String> waiting) {}

    LiveHistories(SavedModel model) {
        this.model = model;
        this.itemIndex = model.itemIndex();
        this.userIndex = model.userIndex();
    }

    SavedModel model() {
        return model;
    }

    /** Appends one event to {@code user}'s history (creating the user on their first event). */
    void apply(String user, String item) {
        UserEvents log = events.get(user);
        if (log == null) {
            log = new UserEvents();
            events.put(user, log);
            if (!userIndex.containsKey(user)) newUsers.incrementAndGet();
        }
        Integer known = itemIndex.get(item);
        if (known == null) {
            log.appendUnknown(item);
            unknownItems.put(item, Boolean.TRUE);
            waiting.incrementAndGet();
        } else {
            log.append(known);
        }
        applied.incrementAndGet();
    }

    /**
     * The internal items the LSTM reads for {@code user} (stored, then events of known items), or null when the user
     * is neither in the model nor has events. Empty when all they have are items the model does not know.
     */
    int[] scoringHistory(String user) {
        Integer u = userIndex.get(user);
        UserEvents log = events.get(user);
        if (u == null && log == null) return null;
        int[] stored = u == null ? new int[0] : model.histories()[u];
        return log == null ? stored : log.appendKnownTo(stored);
    }

    /** {@code user}'s whole history with external ids, or null when the user is unknown and has no events. */
    History history(String user) {
        Integer u = userIndex.get(user);
        UserEvents log = events.get(user);
        if (u == null && log == null) return null;
        List<String> items = new ArrayList<>();
        if (u != null) for (int item : model.histories()[u]) items.add(model.itemIds().get(item - 1));
        int stored = items.size();
        List<String> unknown = new ArrayList<>();
        if (log != null) log.describe(model.itemIds(), items, unknown);
        return new History(items, stored, unknown);
    }

    /** Counters for {@code /info}. */
    Map<String, Object> stats() {
        return Map.of("events_applied", applied.get(),
                "users_with_events", (long) events.size(),
                "new_users", newUsers.get(),
                "events_waiting_for_next_model", waiting.get(),
                "items_waiting_for_next_model", (long) unknownItems.size());
    }

    /**
     * One user's events. Items are coded in one int each: a positive code is a known internal item, a code c <= 0
     * stands for the unknown id {@code unknown.get(-c)}. Appends and reads are synchronized per user (cheap: one
     * writer, reads copy what they need).
     */
    private static final class UserEvents {
        private int[] codes = new int[4];
        private int size;
        private int known;
        private final List<String> unknown = new ArrayList<>(0);

        synchronized void append(int item) {
            push(item);
            known++;
        }

        synchronized void appendUnknown(String id) {
            push(-unknown.size());
            unknown.add(id);
        }

        private void push(int code) {
            if (size == codes.length) codes = Arrays.copyOf(codes, size * 2);
            codes[size++] = code;
        }

        synchronized int[] appendKnownTo(int[] stored) {
            int[] out = Arrays.copyOf(stored, stored.length + known);
            int at = stored.length;
            for (int i = 0; i < size; i++) if (codes[i] > 0) out[at++] = codes[i];
            return out;
        }

        synchronized void describe(List<String> itemIds, List<String> items, List<String> waiting) {
            for (int i = 0; i < size; i++) {
                int c = codes[i];
                String id = c > 0 ? itemIds.get(c - 1) : unknown.get(-c);
                items.add(id);
                if (c <= 0) waiting.add(id);
            }
        }
    }
}
