package dev.lstmrec.engine.data;

// The synthetic session log generator: exact session and event counts, the time split, Zipf-like skew, determinism,
// and that the GRU4Rec reader reads what it writes.

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionLogGeneratorTest {
    @TempDir
    Path dir;

    @Test
    void writesExactCountsWithTheLatestSessionsInTheTestFile() throws Exception {
        var c = new SessionLogGenerator.Config(1000, 400, 12_345, 1.0, 7, 0.2);
        Path train = dir.resolve("t.tsv"), test = dir.resolve("test.tsv");
        SessionLogGenerator.Written w = new SessionLogGenerator(c).write(train, test, SessionLogGenerator.Layout.GRU4REC);
        assertEquals(800, w.trainSessions());
        assertEquals(200, w.testSessions());
        assertEquals(12_345, w.trainEvents() + w.testEvents());
        Dataset a = DataReader.read(train, ReadOptions.of(Format.GRU4REC)), b = DataReader.read(test, ReadOptions.of(Format.GRU4REC));
        assertEquals(800, a.numUsers());
        assertEquals(200, b.numUsers());
        assertEquals(w.trainEvents(), a.numInteractions());
        for (int u = 0; u < a.numUsers(); u++) assertTrue(a.sequenceLength(u) >= 2);
        long lastTrainTime = maxTime(train), firstTestTime = minTime(test);
        assertTrue(firstTestTime > lastTrainTime, "test sessions are later in time");
        // Zipf-like: the most frequent item is far above the median item.
        long[] counts = new long[a.numItems() + 1];
        for (int u = 0; u < a.numUsers(); u++) for (int item : a.sequence(u)) counts[item]++;
        long[] sorted = Arrays.copyOfRange(counts, 1, counts.length);
        Arrays.sort(sorted);
        assertTrue(sorted[sorted.length - 1] > 10 * sorted[sorted.length / 2], "top " + sorted[sorted.length - 1] + " median " + sorted[sorted.length / 2]);
    }

    @Test
    void uniformWhenZipfIsZeroAndDeterministicInTheSeed() throws Exception {
        var c = new SessionLogGenerator.Config(300, 50, 6000, 0.0, 1, 0);
        Path x = dir.resolve("x"), y = dir.resolve("y");
        new SessionLogGenerator(c).write(x, null, SessionLogGenerator.Layout.ML_100K);
        new SessionLogGenerator(c).write(y, null, SessionLogGenerator.Layout.ML_100K);
        assertArrayEquals(Files.readAllBytes(x), Files.readAllBytes(y));
        Dataset d = DataReader.read(x, ReadOptions.of(Format.ML100K));
        assertEquals(50, d.numItems(), "6000 uniform draws over 50 items hit them all");
        long[] counts = new long[51];
        for (int u = 0; u < d.numUsers(); u++) for (int item : d.sequence(u)) counts[item]++;
        long max = Arrays.stream(counts).skip(1).max().orElseThrow(), min = Arrays.stream(counts).skip(1).min().orElseThrow();
        assertTrue(max < 4 * min, "roughly uniform: " + min + ".." + max);
    }

    @Test
    void rejectsImpossibleConfigurations() {
        assertThrows(IllegalArgumentException.class, () -> new SessionLogGenerator.Config(10, 5, 19, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionLogGenerator.Config(10, 0, 100, 1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionLogGenerator.Config(10, 5, 100, -1, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new SessionLogGenerator.Config(10, 5, 100, 1, 1, 1.0));
    }

    private static long maxTime(Path f) throws Exception {
        return times(f).stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    private static long minTime(Path f) throws Exception {
        return times(f).stream().mapToLong(Long::longValue).min().orElseThrow();
    }

    private static List<Long> times(Path f) throws Exception {
        return Files.readAllLines(f).stream().skip(1).map(l -> Long.parseLong(l.split("\t")[2])).toList();
    }
}
