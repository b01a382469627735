package dev.lstmrec.engine.data;

import dev.lstmrec.engine.io.AtomicFiles;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Large synthetic session logs for benchmarks and tests ({@code lstmrec generate}): U sessions, E events in all, N
 * items with Zipf-like popularity (rank r drawn with weight about r^-s by inverting the continuous power law, O(1) per
 * draw), and some sequential structure (half the time the next item is one of four fixed successors of the current
 * one, themselves popularity-drawn), so a sequence model has something to learn beyond popularity. Sessions are in
 * time order; the last {@code testFraction} of them can go to a separate test file (a time split). Memory is O(N) for
 * the id permutation, independent of E; output is written atomically. Checked by SessionLogGeneratorTest.
 *
 * <p>With drift ({@code newItemsPerDay} R over {@code days} D) the sessions spread evenly over D days of real time
 * (86,400 s each), the catalogue starts with N items and gains R a day, and popularity follows recency: an event
 * draws the item of recency rank r (0 = the newest item available at that moment) with weight about r^-s, and
 * successors are items of about the same age. So every day's new items take the head of the distribution and the
 * early items fade, which is what a model frozen at some day cannot follow.
 */
public final class SessionLogGenerator {
    /** Output layouts: GRU4Rec's TSV with header, or MovieLens 100K's u.data lines (rating 5). */
    public enum Layout { GRU4REC, ML_100K }

    /**
     * @param sessions     U, at least 1
     * @param items        N, at least 1
     * @param events       E, at least 2·U (every session has two or more events)
     * @param zipf         popularity exponent s ≥ 0 (0 = uniform, about 1 for real logs)
     * @param seed         everything is a pure function of the seed
     * @param testFraction share of the latest sessions written to the test file, in [0, 1)
     * @param newItemsPerDay R ≥ 0: items added to the catalogue per day (0 = a fixed catalogue of N items)
     * @param days         D ≥ 0: days of real time the sessions span (0 = sessions 10 minutes apart); at least 1 when R > 0
     */
    public record Config(int sessions, int items, long events, double zipf, long seed, double testFraction,
                         double newItemsPerDay, int days) {
        /** A fixed catalogue without drift. */
        public Config(int sessions, int items, long events, double zipf, long seed, double testFraction) {
            this(sessions, items, events, zipf, seed, testFraction, 0, 0);
        }

        public Config {
            if (sessions < 1) throw new IllegalArgumentException("--users (sessions) must be >= 1, got " + sessions);
            if (items < 1) throw new IllegalArgumentException("--items must be >= 1, got " + items);
            if (events < 2L * sessions) {
                throw new IllegalArgumentException("--events must be at least 2 per session (" + 2L * sessions + "), got " + events);
            }
            if (!(zipf >= 0 && zipf <= 10)) throw new IllegalArgumentException("--zipf must be in [0, 10], got " + zipf);
            if (!(testFraction >= 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
            if (!(newItemsPerDay >= 0 && newItemsPerDay <= 1e7)) {
                throw new IllegalArgumentException("--new-items-per-day must be in [0, 1e7], got " + newItemsPerDay);
            }
            if (days < 0) throw new IllegalArgumentException("--days must be >= 0, got " + days);
            if (newItemsPerDay > 0 && days < 1) throw new IllegalArgumentException("--new-items-per-day needs --days (at least 1)");
            if (items + Math.ceil(newItemsPerDay * days) > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("--items plus --new-items-per-day x --days is too large");
            }
        }

        /** The catalogue at the end: N plus the items added over the days. */
        public int totalItems() {
            return (int) (items + Math.ceil(newItemsPerDay * days));
        }

        /** Sessions that go to the test file: the latest ones. */
        public int testSessions() {
            return (int) Math.min(sessions - 1L, Math.round(sessions * testFraction));
        }
    }

    /** Events written to each file. */
    public record Written(long trainEvents, long testEvents, int trainSessions, int testSessions) {}

    private static final int SUCCESSORS = 4;
    private static final double FOLLOW = 0.5;
    private static final long START_TIME = 1_600_000_000L;
    private static final long DAY = 86_400L;

    private final Config c;
    private final int[] idOfRank;
    private long lastTime;

    public SessionLogGenerator(Config config) {
        this.c = config;
        idOfRank = new int[config.totalItems()];
        for (int i = 0; i < idOfRank.length; i++) idOfRank[i] = i + 1;
        SplittableRandom rnd = new SplittableRandom(config.seed() ^ 0x5DEECE66DL);
        for (int i = idOfRank.length - 1; i > 0; i--) { // external ids in random order of popularity
            int j = rnd.nextInt(i + 1), t = idOfRank[i];
            idOfRank[i] = idOfRank[j];
            idOfRank[j] = t;
        }
    }

    /** Popularity rank 0..N-1 of a uniform u in [0, 1): inverse of the continuous power law x^-s on [1, N + 1). */
    int rank(double u) {
        return rank(u, c.items());
    }

    /** Rank 0..n-1 of a uniform u in [0, 1) under the power law of {@link #rank(double)} over n items. */
    private int rank(double u, int n) {
        double n1 = n + 1.0, s = c.zipf(), x;
        if (Math.abs(s - 1) < 1e-9) x = Math.pow(n1, u);
        else x = Math.pow((Math.pow(n1, 1 - s) - 1) * u + 1, 1 / (1 - s));
        return (int) Math.min(n - 1, Math.max(0, (long) x - 1));
    }

    private boolean drifting() {
        return c.newItemsPerDay() > 0;
    }

    /** Items available at {@code time} (seconds): N plus R per day elapsed, up to the final catalogue. */
    private int available(long time) {
        long added = (long) Math.floor(c.newItemsPerDay() * Math.max(0, time - START_TIME) / DAY);
        return (int) Math.min(c.totalItems(), c.items() + added);
    }

    /** With drift: the item (in order of appearance) of recency rank drawn from u among the {@code n} available. */
    private int recent(double u, int n) {
        return n - 1 - rank(u, n);
    }

    /** With drift: successor j of item k, an item of about its age (k minus a power-law offset), fixed by hashing. */
    private int olderNeighbour(int k, int j) {
        long h = mix(c.seed() * 0x9E3779B97F4A7C15L + k * 0xC2B2AE3D27D4EB4FL + j);
        return k - rank((h >>> 11) * 0x1.0p-53, k + 1);
    }

    /** Start time (seconds) of session s: 10 minutes apart, or spread evenly over the days with drift. */
    private long start(int s) {
        if (c.days() == 0) return START_TIME + 600L * s;
        return START_TIME + (long) ((double) s * c.days() * DAY / c.sessions());
    }

    /** Successor j (0..3) of item rank r: a fixed popularity-drawn item, by hashing (no table). */
    private int successor(int r, int j) {
        long h = mix(c.seed() * 0x9E3779B97F4A7C15L + r * 0xC2B2AE3D27D4EB4FL + j);
        return rank((h >>> 11) * 0x1.0p-53);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Writes the training log to {@code train} and, when {@code test} is given, the latest sessions to it. */
    public Written write(Path train, Path test, Layout layout) throws IOException {
        int testSessions = test == null ? 0 : c.testSessions();
        int trainSessions = c.sessions() - testSessions;
        long[] counts = new long[2];
        lastTime = 0;
        // Lengths: two events each plus the rest spread by exponential weights, drawn up front (8 bytes a session).
        SplittableRandom lengths = new SplittableRandom(c.seed() * 31 + 7);
        double[] w = new double[c.sessions()];
        double sum = 0;
        for (int i = 0; i < w.length; i++) sum += w[i] = -Math.log(1 - lengths.nextDouble());
        long extra = c.events() - 2L * c.sessions(), given = 0;
        int[] len = new int[c.sessions()];
        for (int i = 0; i < w.length; i++) {
            long e = (long) Math.floor(w[i] / sum * extra);
            len[i] = (int) Math.min(Integer.MAX_VALUE - 2, 2 + e);
            given += len[i] - 2;
        }
        for (long left = extra - given; left > 0; left--) len[lengths.nextInt(len.length)]++;
        SplittableRandom rnd = new SplittableRandom(c.seed());
        AtomicFiles.write(train, out -> {
            Writer wr = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
            header(wr, layout);
            counts[0] = sessions(wr, layout, rnd, len, 0, trainSessions);
            wr.flush();
        });
        if (test != null) {
            AtomicFiles.write(test, out -> {
                Writer wr = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
                header(wr, layout);
                counts[1] = sessions(wr, layout, rnd, len, trainSessions, c.sessions());
                wr.flush();
            });
        }
        return new Written(counts[0], counts[1], trainSessions, testSessions);
    }

    private static void header(Writer wr, Layout layout) throws IOException {
        if (layout == Layout.GRU4REC) wr.write("SessionId\tItemId\tTime\n");
    }

    /**
     * Sessions [from, to): ids from+1.., starting 10 minutes apart (or spread over the days), events 30-120 s apart.
     * The test file's sessions are shifted to start after the last training event, so the split is a clean cut in time.
     */
    private long sessions(Writer wr, Layout layout, SplittableRandom rnd, int[] len, int from, int to) throws IOException {
        long written = 0, shift = from == 0 ? 0 : Math.max(0, lastTime + 600 - start(from));
        StringBuilder line = new StringBuilder(48);
        boolean drift = drifting();
        for (int s = from; s < to; s++) {
            long time = start(s) + shift;
            int r = drift ? recent(rnd.nextDouble(), available(time)) : rank(rnd.nextDouble());
            for (int e = 0; e < len[s]; e++) {
                if (e > 0) {
                    boolean follow = rnd.nextDouble() < FOLLOW;
                    int j = follow ? rnd.nextInt(SUCCESSORS) : 0;
                    double u = follow ? 0 : rnd.nextDouble();
                    time += 30 + rnd.nextInt(91);
                    if (drift) r = follow ? olderNeighbour(r, j) : recent(u, available(time));
                    else r = follow ? successor(r, j) : rank(u);
                }
                line.setLength(0);
                if (layout == Layout.GRU4REC) line.append(s + 1).append('\t').append(idOfRank[r]).append('\t').append(time).append('\n');
                else line.append(s + 1).append('\t').append(idOfRank[r]).append("\t5\t").append(time).append('\n');
                wr.append(line);
                written++;
            }
            lastTime = Math.max(lastTime, time);
        }
        return written;
    }
}
