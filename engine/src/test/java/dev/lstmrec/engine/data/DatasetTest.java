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

    @Test
    void keepsEveryInteractionsTimeInTimeOrder() throws IOException {
        // ml-100k lines: user item rating time (seconds); user 1's lines out of time order in the file
        Path f = write(dir, "u.data", "1\t10\t5\t300\n2\t11\t5\t50\n1\t12\t5\t100\n1\t11\t5\t200\n2\t10\t5\t60\n");
        Dataset d = DataReader.read(f, ReadOptions.of(Format.ML100K));
        assertEquals(true, d.timed());
        assertEquals("1:12,11,10 2:11,10", render(d));
        assertEquals(100_000, d.timeAt(0, 0));
        assertEquals(200_000, d.timeAt(0, 1));
        assertEquals(300_000, d.timeAt(0, 2));
        assertEquals(100_000, d.firstTime(0));
        assertEquals(300_000, d.lastTime(0));
        assertEquals(3, d.firstLine(0), "the earliest interaction's line");
        assertEquals(60_000, d.lastTime(1));
        assertThrows(IndexOutOfBoundsException.class, () -> d.timeAt(1, 2));
        // a subset keeps the times of the interactions it keeps, renumbering items by what remains
        boolean[] keep = new boolean[5];
        keep[d.eventIndex(0, 1)] = true;
        keep[d.eventIndex(0, 2)] = true;
        Dataset s = d.keepEvents(keep, "later");
        assertEquals("1:11,10", render(s));
        assertEquals(2, s.numItems());
        assertEquals(200_000, s.firstTime(0));
        assertEquals(300_000, s.timeAt(0, 1));
        assertEquals(0, s.firstLine(0), "the first interaction was dropped: its line is unknown");
    }

    @Test
    void builderTakesTimesAndALogWithoutTimesHasNone() throws IOException {
        Dataset d = Dataset.builder("t").add("a", "x", 5).add("b", "y", 1).add("a", "y", 7).build();
        assertEquals(true, d.timed());
        assertEquals(7, d.lastTime(0));
        assertEquals(1, d.firstTime(1));
        assertThrows(IllegalStateException.class, () -> Dataset.builder("t").add("a", "x", 5).add("a", "y").build());
        assertThrows(IllegalStateException.class, () -> Dataset.builder("t").add("a", "x", 5).add("a", "y", 4).build());
        Dataset sasrec = DataReader.read(write(dir, "s.txt", "1 5\n1 6\n"), ReadOptions.of(Format.SASREC));
        assertEquals(false, sasrec.timed());
    }
}
