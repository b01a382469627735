package dev.lstmrec.engine.data;

import java.util.Arrays;

/** A growable long array, for the time of each interaction while a file is read. */
final class LongList {
    private long[] a;
    private int n;

    LongList(int capacity) {
        a = new long[Math.max(capacity, 16)];
    }

    void add(long v) {
        if (n == a.length) a = Arrays.copyOf(a, IntList.grow(a.length));
        a[n++] = v;
    }

    long get(int i) {
        return a[i];
    }

    int size() {
        return n;
    }
}
