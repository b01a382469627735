package dev.lstmrec.engine.data;

import java.util.Arrays;

/** A growable int array: the readers hold one int per interaction and field, never boxed lists. */
final class IntList {
    private int[] a;
    private int n;

    IntList(int capacity) {
        a = new int[Math.max(capacity, 16)];
    }

    void add(int v) {
        if (n == a.length) a = Arrays.copyOf(a, grow(a.length));
        a[n++] = v;
    }

    int get(int i) {
        return a[i];
    }

    int size() {
        return n;
    }

    int[] toArray() {
        return Arrays.copyOf(a, n);
    }

    static int grow(int length) {
        long next = (long) length + (length >> 1) + 16;
        if (next > Integer.MAX_VALUE - 8) {
            if (length >= Integer.MAX_VALUE - 8) throw new IllegalStateException("more than 2^31 interactions");
            next = Integer.MAX_VALUE - 8;
        }
        return (int) next;
    }
}
