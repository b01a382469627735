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

    @Test
    void driftGrowsTheCatalogueByAboutRADayAndTheEarlyItemsFade() throws Exception {
        int n = 200, days = 30;
        double perDay = 50;
        var c = new SessionLogGenerator.Config(6000, n, 60_000, 1.0, 3, 0, perDay, days);
        Path f = dir.resolve("drift.tsv"), g = dir.resolve("drift2.tsv");
        new SessionLogGenerator(c).write(f, null, SessionLogGenerator.Layout.GRU4REC);
        new SessionLogGenerator(c).write(g, null, SessionLogGenerator.Layout.GRU4REC);
        assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g), "deterministic in the seed");
        List<String[]> rows = Files.readAllLines(f).stream().skip(1).map(l -> l.split("\t")).toList();
        long t0 = rows.stream().mapToLong(r -> Long.parseLong(r[2])).min().orElseThrow();
        long t1 = rows.stream().mapToLong(r -> Long.parseLong(r[2])).max().orElseThrow();
        assertTrue(t1 - t0 > (days - 1) * 86_400L && t1 - t0 < (days + 1) * 86_400L, "real time stamps over the days: " + (t1 - t0));
        // within a session, times increase; sessions start in time order
        long prevStart = Long.MIN_VALUE;
        for (int i = 0; i < rows.size(); i++) {
            long t = Long.parseLong(rows.get(i)[2]);
            boolean first = i == 0 || !rows.get(i)[0].equals(rows.get(i - 1)[0]);
            if (first) {
                assertTrue(t >= prevStart, "sessions start in time order");
                prevStart = t;
            } else {
                assertTrue(t > Long.parseLong(rows.get(i - 1)[2]), "times increase within a session");
            }
        }
        // the catalogue grows by about R a day: items first seen on each day after the first
        java.util.Map<String, Long> firstSeen = new java.util.HashMap<>();
        for (String[] r : rows) firstSeen.merge(r[1], Long.parseLong(r[2]), Math::min);
        int[] newPerDay = new int[days + 1];
        for (long t : firstSeen.values()) newPerDay[(int) ((t - t0) / 86_400L)]++;
        for (int d = 1; d < days; d++) {
            assertTrue(newPerDay[d] >= 0.6 * perDay && newPerDay[d] <= 1.4 * perDay, "day " + d + ": " + newPerDay[d] + " new items");
        }
        assertTrue(firstSeen.size() > n + 0.8 * perDay * (days - 1) && firstSeen.size() <= c.totalItems(), firstSeen.size() + " items");
        // popularity drifts: the items of day 0 take most of day 0's events and few of the last day's
        java.util.Set<String> early = new java.util.HashSet<>();
        for (var e : firstSeen.entrySet()) if (e.getValue() - t0 < 86_400L) early.add(e.getKey());
        long firstDay = 0, firstDayEarly = 0, lastDay = 0, lastDayEarly = 0;
        for (String[] r : rows) {
            long d = (Long.parseLong(r[2]) - t0) / 86_400L;
            if (d == 0) {
                firstDay++;
                if (early.contains(r[1])) firstDayEarly++;
            } else if (d == days - 1) {
                lastDay++;
                if (early.contains(r[1])) lastDayEarly++;
            }
        }
        double before = firstDayEarly / (double) firstDay, after = lastDayEarly / (double) lastDay;
        assertEquals(1.0, before, 1e-9);
        assertTrue(after < 0.5 * before, "share of the early items: " + before + " on day 0, " + after + " on the last day");
        // the readers read it with times
        Dataset d = DataReader.read(f, ReadOptions.of(Format.GRU4REC));
        assertTrue(d.timed());
        assertEquals(60_000, d.numInteractions());
        assertThrows(IllegalArgumentException.class, () -> new SessionLogGenerator.Config(10, 5, 100, 1, 1, 0, 3, 0));
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
