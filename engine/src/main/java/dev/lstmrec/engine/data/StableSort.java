package dev.lstmrec.engine.data;

/**
 * A stable merge sort of int indices by long keys, without boxing: equal keys keep their input order, which is what
 * gives file order to same-time interactions. Checked by {@code DatasetTest} against {@code Arrays.sort} of pairs.
 */
final class StableSort {
    private static final int INSERTION = 24;

    private StableSort() {}

    /** Sorts {@code a[from, to)} by {@code keys.get(a[i])}; {@code scratch} is at least as long as {@code a}. */
    static void byKey(int[] a, int[] scratch, int from, int to, LongList keys) {
        if (sorted(a, from, to, keys)) return;
        sort(a, scratch, from, to, keys);
    }

    private static boolean sorted(int[] a, int from, int to, LongList keys) {
        for (int i = from + 1; i < to; i++) if (keys.get(a[i - 1]) > keys.get(a[i])) return false;
        return true;
    }

    private static void sort(int[] a, int[] scratch, int from, int to, LongList keys) {
        if (to - from <= INSERTION) {
            for (int i = from + 1; i < to; i++) {
                int v = a[i];
                long k = keys.get(v);
                int j = i - 1;
                while (j >= from && keys.get(a[j]) > k) {
                    a[j + 1] = a[j];
                    j--;
                }
                a[j + 1] = v;
            }
            return;
        }
        int mid = (from + to) >>> 1;
        sort(a, scratch, from, mid, keys);
        sort(a, scratch, mid, to, keys);
        if (keys.get(a[mid - 1]) <= keys.get(a[mid])) return;
        System.arraycopy(a, from, scratch, from, to - from);
        int i = from, j = mid, k = from;
        while (i < mid && j < to) a[k++] = keys.get(scratch[j]) < keys.get(scratch[i]) ? scratch[j++] : scratch[i++];
        while (i < mid) a[k++] = scratch[i++];
        while (j < to) a[k++] = scratch[j++];
    }
}
