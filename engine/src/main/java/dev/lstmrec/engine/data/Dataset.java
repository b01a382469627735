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
 * in time order. Stored as one flat int array plus offsets, so memory is about one int per interaction.
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
    private final long[] lastTimes; // per user, the time of the last interaction; null when the source has no times
    private final UserEvents first; // per user, the earliest interaction's time and line; null when not read from a file

    /**
     * Each user's earliest interaction (in time order) as read: its time (milliseconds; 0 when {@code timed} is false,
     * the format having no times) and its line in the file, for messages about a user's events.
     */
    public record UserEvents(long[] times, int[] lines, boolean timed) {}

    /** Takes ownership of the arrays; package-private so that only checked builders call it. */
    Dataset(String source, String[] userIds, String[] itemIds, int[] offsets, int[] items) {
        this(source, userIds, itemIds, offsets, items, null);
    }

    /** As above, with each user's last interaction time ({@code lastTimes}, one per user, or null). */
    Dataset(String source, String[] userIds, String[] itemIds, int[] offsets, int[] items, long[] lastTimes) {
        this(source, userIds, itemIds, offsets, items, lastTimes, null);
    }

    /** As above, with each user's earliest interaction as read ({@code first}, or null). */
    Dataset(String source, String[] userIds, String[] itemIds, int[] offsets, int[] items, long[] lastTimes, UserEvents first) {
        this.source = Objects.requireNonNull(source, "source");
        if (offsets.length != userIds.length + 1 || offsets[userIds.length] != items.length) {
            throw new IllegalArgumentException("offsets do not match users and items");
        }
        this.userIds = userIds;
        this.itemIds = itemIds;
        this.offsets = offsets;
        this.items = items;
        if (lastTimes != null && lastTimes.length != userIds.length) throw new IllegalArgumentException("one last time per user");
        this.lastTimes = lastTimes;
        if (first != null && (first.times().length != userIds.length || first.lines().length != userIds.length)) {
            throw new IllegalArgumentException("one first event per user");
        }
        this.first = first;
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
        return first != null && first.timed();
    }

    /** The time of user {@code u}'s last interaction in milliseconds; only meaningful when {@link #timed()}. */
    public long lastTime(int u) {
        return lastTimes == null ? 0 : lastTimes[u];
    }

    /** The time of user {@code u}'s earliest interaction in milliseconds; only meaningful when {@link #timed()}. */
    public long firstTime(int u) {
        return first == null ? 0 : first.times()[u];
    }

    /** The file line of user {@code u}'s earliest interaction (in time order); 0 when the data was not read from a file. */
    public int firstLine(int u) {
        return first == null ? 0 : first.lines()[u];
    }

    /**
     * The users ordered by the time of their last interaction, oldest first (ties, and data without times, in user
     * order, which is the order of first appearance in the file): for a session log, the sessions in the order they
     * ended, so the tail of this order is the latest sessions.
     */
    public int[] usersByLastTime() {
        Integer[] order = new Integer[userIds.length];
        for (int u = 0; u < order.length; u++) order[u] = u;
        if (lastTimes != null) Arrays.sort(order, (a, b) -> Long.compare(lastTimes[a], lastTimes[b])); // stable
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
        long[] times = lastTimes == null ? null : new long[kept];
        UserEvents firsts = first == null ? null : new UserEvents(new long[kept], new int[kept], first.timed());
        int v = 0;
        for (int u = 0; u < drop.length; u++) {
            if (drop[u]) continue;
            ids[v] = userIds[u];
            if (times != null) times[v] = lastTimes[u];
            if (firsts != null) {
                firsts.times()[v] = first.times()[u];
                firsts.lines()[v] = first.lines()[u];
            }
            int len = offsets[u + 1] - offsets[u];
            System.arraycopy(items, offsets[u], flat, offs[v], len);
            offs[v + 1] = offs[v] + len;
            v++;
        }
        return new Dataset(source, ids, itemIds, offs, flat, times, firsts);
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
            checkId(userId, "user");
            Integer u = users.get(userId);
            if (u == null) {
                u = userNames.size();
                users.put(userId, u);
                userNames.add(userId);
            }
            userOf.add(u);
            itemOf.add(addItem(itemId));
            return this;
        }

        private static void checkId(String id, String what) {
            if (id == null || id.isEmpty()) throw new IllegalArgumentException("empty " + what + " id");
        }

        /** The dataset; the builder can still be used afterwards. */
        public Dataset build() {
            int[] offsets = new int[userNames.size() + 1];
            int[] flat = groupByUser(userOf, itemOf, userNames.size(), offsets);
            return new Dataset(source, userNames.toArray(new String[0]), itemNames.toArray(new String[0]), offsets, flat);
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
