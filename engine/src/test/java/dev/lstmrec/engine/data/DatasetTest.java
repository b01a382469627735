package dev.lstmrec.engine.data;

import static dev.lstmrec.engine.data.TestFiles.render;
import static dev.lstmrec.engine.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dataset's numbering, lookups and immutability, and time order with stable ties against a reference sort. */
class DatasetTest {
    @TempDir
    Path dir;

    @Test
    void builderNumbersUsersAndItemsByFirstAppearance() {
        Dataset.Builder b = Dataset.builder("test");
        assertEquals(1, b.addItem("z"));
        b.add("bob", "x").add("amy", "y").add("bob", "z").add("amy", "x");
        Dataset d = b.build();
        assertEquals("bob:x,z amy:y,x", render(d));
        assertEquals(3, d.numItems());
        assertEquals("z", d.itemId(1));
        assertEquals("x", d.itemId(2));
        assertArrayEquals(new int[] {2, 1}, d.sequence(0));
        assertEquals(2, d.sequenceLength(1));
        assertEquals(2, d.itemAt(1, 1));
        assertEquals(2, d.maxSequenceLength());
        assertEquals(4, d.numInteractions());
    }

    @Test
    void sequencesAreCopies() {
        Dataset d = Dataset.builder("test").add("u", "a").add("u", "b").build();
        d.sequence(0)[0] = 99;
        assertArrayEquals(new int[] {1, 2}, d.sequence(0));
    }

    @Test
    void outOfRangeIndicesAreRefused() {
        Dataset d = Dataset.builder("test").add("u", "a").build();
        assertThrows(IndexOutOfBoundsException.class, () -> d.itemId(0)); // padding has no id
        assertThrows(IndexOutOfBoundsException.class, () -> d.itemId(2));
        assertThrows(IndexOutOfBoundsException.class, () -> d.sequence(1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.itemAt(0, 1));
        assertThrows(IllegalArgumentException.class, () -> Dataset.builder("test").add("", "a"));
    }

    @Test
    void readerOrdersByTimeKeepingFileOrderOnTies() throws IOException {
        // Random times from a small range, so most interactions tie; the reference is a stable sort by (time, line).
        SplittableRandom r = new SplittableRandom(3);
        StringBuilder text = new StringBuilder();
        List<long[]> rows = new ArrayList<>(); // user, item, time, line
        for (int line = 0; line < 400; line++) {
            long user = r.nextInt(5);
            long item = r.nextInt(1000);
            long time = r.nextInt(6);
            rows.add(new long[] {user, item, time, line});
            text.append(user).append('\t').append(item).append("\t5\t").append(time).append('\n');
        }
        Dataset d = DataReader.read(write(dir, "u.data", text.toString()), ReadOptions.of(Format.ML100K));
        for (int u = 0; u < d.numUsers(); u++) {
            long user = Long.parseLong(d.userId(u));
            long[][] mine = rows.stream().filter(x -> x[0] == user)
                    .sorted(Comparator.<long[]>comparingLong(x -> x[2]).thenComparingLong(x -> x[3])).toArray(long[][]::new);
            String[] expected = Arrays.stream(mine).map(x -> Long.toString(x[1])).toArray(String[]::new);
            String[] actual = Arrays.stream(d.sequence(u)).mapToObj(d::itemId).toArray(String[]::new);
            assertArrayEquals(expected, actual, "user " + user);
        }
    }

    @Test
    void stableSortMatchesReferenceOnLongRuns() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {1, 2, 23, 24, 25, 100, 1021}) {
            LongList keys = new LongList(n);
            for (int i = 0; i < n; i++) keys.add(r.nextInt(Math.max(1, n / 4)) - 5L);
            int[] a = new int[n];
            for (int i = 0; i < n; i++) a[i] = i;
            StableSort.byKey(a, new int[n], 0, n, keys);
            Integer[] ref = new Integer[n];
            for (int i = 0; i < n; i++) ref[i] = i;
            Arrays.sort(ref, Comparator.<Integer>comparingLong(keys::get)); // Arrays.sort of objects is stable
            for (int i = 0; i < n; i++) assertEquals(ref[i].intValue(), a[i], "n=" + n + " position " + i);
        }
    }
}
