package dev.lstmrec.engine.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * An immutable set of user interaction sequences: users 0..U-1, items 1..N (0 is the padding id), each user's items
 * in time order. Stored as one flat int array plus offsets, and when the source has times one long per interaction, so
 * memory is about one int (and one long) per interaction; each user's first and last times are read from it.
 * Built by {@link DataReader}, {@link SyntheticData} or {@link #builder(String)}; checked by {@code DatasetTest}.
 */
public final class Dataset {
    private final String source;
    private final String[] userIds;
    private final String[] itemIds; // itemIds[0] is null: index 0 is padding
    private final int[] offsets; // user u owns items[offsets[u] .. offsets[u + 1])
    private final int[] items;
    private final Map<String, Integer> userIndex;
    private final Map<String, Integer> itemIndex;
    private final long[] times; // per interaction, aligned with items, in milliseconds; null when the source has no times
    private final int[] firstLines; // per user, the file line of the earliest interaction; null when not read from a file

    /** Takes ownership of the arrays; package-private so that only checked builders call it. */
    Dataset(String source, String[] userIds, String[] itemIds, int[] offsets, int[] items) {
        this(source, userIds, itemIds, offsets, items, null, null);
    }

    /**
     * As above, with each interaction's time ({@code times}, aligned with {@code items}, non-decreasing within each
     * user, or null) and each user's earliest interaction's file line ({@code firstLines}, or null).
     */
    Dataset(String source, String[] userIds, String[] itemIds, int[] offsets, int[] items, long[] times, int[] firstLines) {
        this.source = Objects.requireNonNull(source, "source");
        if (offsets.length != userIds.length + 1 || offsets[userIds.length] != items.length) {
            throw new IllegalArgumentException("offsets do not match users and items");
        }
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.offsets = offsets;
        this.items = items;
        if (times != null && times.length != items.length) throw new IllegalArgumentException("one time per interaction");
        this.times = times;
        if (firstLines != null && firstLines.length != userIds.length) throw new IllegalArgumentException("one first line per user");
        this.firstLines = firstLines;
        this.userIndex = indexOf(userIds, 0);
        this.itemIndex = indexOf(itemIds, 1);
    }

    private static Map<String, Integer> indexOf(String[] ids, int first) {
        Map<String, Integer> m = new HashMap<>(Math.max(16, (int) (ids.length / 0.75f) + 1));
        for (int i = first; i < ids.length; i++) {
            if (m.put(ids[i], i) != null) throw new IllegalArgumentException("duplicate id '" + ids[i] + "'");
        }
        return m;
    }

    /** Where the data came from: a file path, or a description of generated data. */
    public String source() {
        return source;
    }

    /** Number of users U; users are 0..U-1. */
    public int numUsers() {
        return userIds.length;
    }

    /** Number of items N; items are 1..N and 0 is padding. */
    public int numItems() {
        return itemIds.length - 1;
    }

    /** Total number of interactions over all users. */
    public long numInteractions() {
        return items.length;
    }

    /** The external id of user u (0-based). */
    public String userId(int u) {
        return userIds[checkUser(u)];
    }

    /** The external id of item {@code item} in 1..N. */
    public String itemId(int item) {
        if (item < 1 || item >= itemIds.length) {
            throw new IndexOutOfBoundsException("item " + item + " outside 1.." + numItems());
        }
        return itemIds[item];
    }

    /** A fresh copy of user u's items (1..N) in time order. */
    public int[] sequence(int u) {
        checkUser(u);
        return Arrays.copyOfRange(items, offsets[u], offsets[u + 1]);
    }

    /** Length of user u's sequence, without copying it. */
    public int sequenceLength(int u) {
        checkUser(u);
        return offsets[u + 1] - offsets[u];
    }

    /** The i-th (0-based) item of user u's sequence, without copying it. */
    public int itemAt(int u, int i) {
        int len = sequenceLength(u);
        if (i < 0 || i >= len) throw new IndexOutOfBoundsException("position " + i + " outside 0.." + (len - 1));
        return items[offsets[u] + i];
    }

    /** Whether the interactions carry times (read from a file whose format has a time column). */
    public boolean timed() {
        return times != null;
    }

    /** The time of the i-th (0-based) interaction of user u in milliseconds; only meaningful when {@link #timed()}. */
    public long timeAt(int u, int i) {
        int len = sequenceLength(u);
        if (i < 0 || i >= len) throw new IndexOutOfBoundsException("position " + i + " outside 0.." + (len - 1));
        return times == null ? 0 : times[offsets[u] + i];
    }

    /** The time of user {@code u}'s last interaction in milliseconds; only meaningful when {@link #timed()}. */
    public long lastTime(int u) {
        return times == null ? 0 : times[offsets[checkUser(u) + 1] - 1];
    }

    /** The time of user {@code u}'s earliest interaction in milliseconds; only meaningful when {@link #timed()}. */
    public long firstTime(int u) {
        return times == null ? 0 : times[offsets[checkUser(u)]];
    }

    /** The file line of user {@code u}'s earliest interaction (in time order); 0 when the data was not read from a file. */
    public int firstLine(int u) {
        return firstLines == null ? 0 : firstLines[checkUser(u)];
    }

    /**
     * The users ordered by the time of their last interaction, oldest first (ties, and data without times, in user
     * order, which is the order of first appearance in the file): for a session log, the sessions in the order they
     * ended, so the tail of this order is the latest sessions.
     */
    public int[] usersByLastTime() {
        Integer[] order = new Integer[userIds.length];
        for (int u = 0; u < order.length; u++) order[u] = u;
        if (times != null) Arrays.sort(order, (a, b) -> Long.compare(lastTime(a), lastTime(b))); // stable
        int[] out = new int[order.length];
        for (int u = 0; u < out.length; u++) out[u] = order[u];
        return out;
    }

    /**
     * This dataset without the users {@code drop} marks: the same items and item numbering (an item only the dropped
     * users had stays in the catalogue), the other users renumbered in order with their sequences and times.
     */
    public Dataset withoutUsers(boolean[] drop) {
        if (drop.length != userIds.length) throw new IllegalArgumentException("one flag per user");
        int kept = 0, keptItems = 0;
        for (int u = 0; u < drop.length; u++) {
            if (!drop[u]) {
                kept++;
                keptItems += offsets[u + 1] - offsets[u];
            }
        }
        String[] ids = new String[kept];
        int[] offs = new int[kept + 1], flat = new int[keptItems];
        long[] t = times == null ? null : new long[keptItems];
        int[] lines = firstLines == null ? null : new int[kept];
        int v = 0;
        for (int u = 0; u < drop.length; u++) {
            if (drop[u]) continue;
            ids[v] = userIds[u];
            if (lines != null) lines[v] = firstLines[u];
            int len = offsets[u + 1] - offsets[u];
            System.arraycopy(items, offsets[u], flat, offs[v], len);
            if (t != null) System.arraycopy(times, offsets[u], t, offs[v], len);
            offs[v + 1] = offs[v] + len;
            v++;
        }
        return new Dataset(source, ids, itemIds, offs, flat, t, lines);
    }

    /**
     * The interactions {@code keep} marks, indexed by user u's i-th interaction at {@code offsets(u) + i} (the order of
     * {@link #eventIndex}): each user's kept ones in the same order with their times; users left without interactions
     * are dropped and the others renumbered in order; the items that still occur are renumbered 1.. in their present
     * order (the catalogue is what the kept interactions name). A user's first line is kept only when their first
     * interaction is.
     */
    public Dataset keepEvents(boolean[] keep, String source) {
        if (keep.length != items.length) throw new IllegalArgumentException("one flag per interaction");
        int[] itemMap = new int[itemIds.length];
        int kept = 0, keptUsers = 0;
        for (int u = 0; u < userIds.length; u++) {
            boolean any = false;
            for (int k = offsets[u]; k < offsets[u + 1]; k++) {
                if (!keep[k]) continue;
                kept++;
                any = true;
                itemMap[items[k]] = 1;
            }
            if (any) keptUsers++;
        }
        int numItems = 0;
        for (int i = 1; i < itemMap.length; i++) if (itemMap[i] != 0) itemMap[i] = ++numItems;
        String[] ids = new String[keptUsers], itemNames = new String[numItems + 1];
        for (int i = 1; i < itemMap.length; i++) if (itemMap[i] != 0) itemNames[itemMap[i]] = itemIds[i];
        int[] offs = new int[keptUsers + 1], flat = new int[kept];
        long[] t = times == null ? null : new long[kept];
        int[] lines = firstLines == null ? null : new int[keptUsers];
        int v = 0, n = 0;
        for (int u = 0; u < userIds.length; u++) {
            int before = n;
            for (int k = offsets[u]; k < offsets[u + 1]; k++) {
                if (!keep[k]) continue;
                flat[n] = itemMap[items[k]];
                if (t != null) t[n] = times[k];
                n++;
            }
            if (n == before) continue;
            ids[v] = userIds[u];
            if (lines != null) lines[v] = keep[offsets[u]] ? firstLines[u] : 0;
            offs[++v] = n;
        }
        return new Dataset(source, ids, itemNames, offs, flat, t, lines);
    }

    /** Where user u's i-th interaction is in the flat order that {@link #keepEvents} indexes: offsets(u) + i. */
    public int eventIndex(int u, int i) {
        checkUser(u);
        return offsets[u] + i;
    }

    /** The longest sequence length. */
    public int maxSequenceLength() {
        int m = 0;
        for (int u = 0; u < userIds.length; u++) m = Math.max(m, offsets[u + 1] - offsets[u]);
        return m;
    }

    /** The index of the user with this external id, if present. */
    public OptionalInt userIndex(String externalId) {
        Integer i = userIndex.get(externalId);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /** The index (1..N) of the item with this external id, if present. */
    public OptionalInt itemIndex(String externalId) {
        Integer i = itemIndex.get(externalId);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    private int checkUser(int u) {
        if (u < 0 || u >= userIds.length) throw new IndexOutOfBoundsException("user " + u + " outside 0.." + (userIds.length - 1));
        return u;
    }

    @Override
    public String toString() {
        return "Dataset[" + source + ": " + numUsers() + " users, " + numItems() + " items, " + numInteractions() + " interactions]";
    }

    /** A builder whose interactions are taken to be in time order per user. */
    public static Builder builder(String source) {
        return new Builder(source);
    }

    /**
     * Collects interactions already in time order for each user (users may interleave). Users are numbered in order of
     * first appearance; items in order of first registration, by {@link #addItem} or by a first interaction.
     */
    public static final class Builder {
        private final String source;
        private final Map<String, Integer> users = new HashMap<>();
        private final Map<String, Integer> items = new HashMap<>();
        private final List<String> userNames = new ArrayList<>();
        private final List<String> itemNames = new ArrayList<>();
        private final IntList userOf = new IntList(1024);
        private final IntList itemOf = new IntList(1024);
        private final LongList timeOf = new LongList(1024);
        private final IntList firstLineOf = new IntList(1024); // per user; 0 = not given
        private int timed; // interactions added with a time
        private boolean lined; // some user's first line was given

        private Builder(String source) {
            this.source = Objects.requireNonNull(source, "source");
            itemNames.add(null);
        }

        /** Registers an item (if new) and returns its index in 1..N; lets callers fix item numbering up front. */
        public int addItem(String itemId) {
            checkId(itemId, "item");
            Integer i = items.get(itemId);
            if (i != null) return i;
            int next = itemNames.size();
            items.put(itemId, next);
            itemNames.add(itemId);
            return next;
        }

        /** Appends one interaction after the user's earlier ones. */
        public Builder add(String userId, String itemId) {
            return add(userId, itemId, Long.MIN_VALUE, false, 0);
        }

        /**
         * Appends one interaction at {@code timeMillis}, not earlier than the user's earlier ones; a dataset is timed
         * when every interaction was added with a time.
         */
        public Builder add(String userId, String itemId, long timeMillis) {
            return add(userId, itemId, timeMillis, true, 0);
        }

        /**
         * As {@link #add(String, String, long)}, where the source numbers its interactions (1-based {@code line}): the
         * user's first interaction's number becomes their {@link Dataset#firstLine}, which errors about the user name.
         */
        public Builder add(String userId, String itemId, long timeMillis, int line) {
            lined = true;
            return add(userId, itemId, timeMillis, true, line);
        }

        private Builder add(String userId, String itemId, long time, boolean hasTime, int line) {
            checkId(userId, "user");
            Integer u = users.get(userId);
            if (u == null) {
                u = userNames.size();
                users.put(userId, u);
                userNames.add(userId);
                firstLineOf.add(line);
            }
            userOf.add(u);
            itemOf.add(addItem(itemId));
            timeOf.add(time);
            if (hasTime) timed++;
            return this;
        }

        private static void checkId(String id, String what) {
            if (id == null || id.isEmpty()) throw new IllegalArgumentException("empty " + what + " id");
        }

        /** The dataset; the builder can still be used afterwards. */
        public Dataset build() {
            int[] offsets = new int[userNames.size() + 1];
            int[] flat = groupByUser(userOf, itemOf, userNames.size(), offsets);
            long[] times = null;
            if (timed > 0) {
                if (timed != userOf.size()) throw new IllegalStateException("some interactions have a time and some do not");
                times = new long[flat.length];
                int[] fill = Arrays.copyOf(offsets, userNames.size());
                for (int i = 0; i < userOf.size(); i++) times[fill[userOf.get(i)]++] = timeOf.get(i);
                for (int u = 0; u < userNames.size(); u++) {
                    for (int k = offsets[u] + 1; k < offsets[u + 1]; k++) {
                        if (times[k] < times[k - 1]) throw new IllegalStateException("user '" + userNames.get(u) + "': interactions out of time order");
                    }
                }
            }
            int[] firstLines = null;
            if (lined) {
                firstLines = new int[userNames.size()];
                for (int u = 0; u < firstLines.length; u++) firstLines[u] = firstLineOf.get(u);
            }
            return new Dataset(source, userNames.toArray(new String[0]), itemNames.toArray(new String[0]), offsets, flat, times, firstLines);
        }
    }

    /** Stable counting sort of (user, item) pairs by user; fills offsets (length U+1) and returns the items. */
    static int[] groupByUser(IntList userOf, IntList itemOf, int numUsers, int[] offsets) {
        int n = userOf.size();
        for (int i = 0; i < n; i++) offsets[userOf.get(i) + 1]++;
        for (int u = 0; u < numUsers; u++) offsets[u + 1] += offsets[u];
        int[] fill = Arrays.copyOf(offsets, numUsers);
        int[] flat = new int[n];
        for (int i = 0; i < n; i++) flat[fill[userOf.get(i)]++] = itemOf.get(i);
        return flat;
    }
}
