package dev.lstmrec.engine.data;

import java.util.Arrays;

/**
 * The k-core filter: drops interactions of users with fewer than {@code minUser} and of items with fewer than
 * {@code minItem} interactions, again and again until both rules hold (the result, the largest such subset, does
 * not depend on removal order). Checked by {@code FiltersTest} against a hand-worked cascade.
 */
final class KCore {
    private KCore() {}

    /** Which interactions survive; all of them when both minimums are 0 or 1. */
    static boolean[] filter(IntList users, IntList items, int numUsers, int numItems, int minUser, int minItem) {
        int n = users.size();
        boolean[] alive = new boolean[n];
        Arrays.fill(alive, true);
        if (minUser <= 1 && minItem <= 1) return alive;
        int[] userCount = new int[numUsers];
        int[] itemCount = new int[numItems];
        for (int i = 0; i < n; i++) {
            userCount[users.get(i)]++;
            itemCount[items.get(i)]++;
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            for (int i = 0; i < n; i++) {
                if (!alive[i]) continue;
                int u = users.get(i);
                int it = items.get(i);
                if (userCount[u] < minUser || itemCount[it] < minItem) {
                    alive[i] = false;
                    userCount[u]--;
                    itemCount[it]--;
                    changed = true;
                }
            }
        }
        return alive;
    }
}
