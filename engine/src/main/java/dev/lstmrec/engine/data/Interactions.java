package dev.lstmrec.engine.data;

import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * Turns filtered raw interactions into a {@link Dataset}: renumbers users (0..) and items (1..) by first appearance
 * in file order among survivors, groups by user and sorts each user's interactions by time, stably, so that ties
 * keep file order. Checked by {@code DatasetTest} (tie order) and the reader tests.
 */
final class Interactions {
    private Interactions() {}

    /** {@code times} are {@link Long#MIN_VALUE} where the format has none; {@code lines} are the file's line numbers. */
    static <E extends Exception> Dataset build(String source, boolean[] alive, IntList users, IntList items, LongList times,
                                               IntList lines, List<String> userNames, List<String> itemNames, Supplier<E> empty) throws E {
        int n = users.size();
        int[] userMap = filled(userNames.size());
        int[] itemMap = filled(itemNames.size());
        int numUsers = 0;
        int numItems = 0;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (!alive[i]) continue;
            kept++;
            if (userMap[users.get(i)] < 0) userMap[users.get(i)] = numUsers++;
            if (itemMap[items.get(i)] < 0) itemMap[items.get(i)] = ++numItems;
        }
        if (kept == 0) throw empty.get();

        int[] offsets = new int[numUsers + 1];
        for (int i = 0; i < n; i++) if (alive[i]) offsets[userMap[users.get(i)] + 1]++;
        for (int u = 0; u < numUsers; u++) offsets[u + 1] += offsets[u];
        int[] fill = Arrays.copyOf(offsets, numUsers);
        int[] order = new int[kept]; // interaction indices grouped by user, file order within a user
        for (int i = 0; i < n; i++) if (alive[i]) order[fill[userMap[users.get(i)]]++] = i;

        int[] scratch = new int[kept];
        for (int u = 0; u < numUsers; u++) StableSort.byKey(order, scratch, offsets[u], offsets[u + 1], times);

        int[] flat = new int[kept];
        for (int k = 0; k < kept; k++) flat[k] = itemMap[items.get(order[k])];
        String[] userIds = new String[numUsers];
        String[] itemIds = new String[numItems + 1];
        for (int r = 0; r < userMap.length; r++) if (userMap[r] >= 0) userIds[userMap[r]] = userNames.get(r);
        for (int r = 0; r < itemMap.length; r++) if (itemMap[r] >= 0) itemIds[itemMap[r]] = itemNames.get(r);
        boolean timed = times.get(order[0]) != Long.MIN_VALUE;
        long[] eventTimes = timed ? new long[kept] : null;
        if (timed) for (int k = 0; k < kept; k++) eventTimes[k] = times.get(order[k]);
        int[] firstLines = new int[numUsers];
        // every user has at least one interaction: users are numbered by their surviving ones
        for (int u = 0; u < numUsers; u++) firstLines[u] = lines.get(order[offsets[u]]);
        return new Dataset(source, userIds, itemIds, offsets, flat, eventTimes, firstLines);
    }

    private static int[] filled(int n) {
        int[] a = new int[n];
        Arrays.fill(a, -1);
        return a;
    }
}
