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
     */
    public record Config(int sessions, int items, long events, double zipf, long seed, double testFraction) {
        public Config {
            if (sessions < 1) throw new IllegalArgumentException("--users (sessions) must be >= 1, got " + sessions);
            if (items < 1) throw new IllegalArgumentException("--items must be >= 1, got " + items);
            if (events < 2L * sessions) {
                throw new IllegalArgumentException("--events must be at least 2 per session (" + 2L * sessions + "), got " + events);
            }
            if (!(zipf >= 0 && zipf <= 10)) throw new IllegalArgumentException("--zipf must be in [0, 10], got " + zipf);
            if (!(testFraction >= 0 && testFraction < 1)) throw new IllegalArgumentException("test fraction must be in [0, 1), got " + testFraction);
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

    private final Config c;
    private final int[] idOfRank;
    private long lastTime;

    public SessionLogGenerator(Config config) {
        this.c = config;
        idOfRank = new int[config.items()];
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
        double n1 = c.items() + 1.0, s = c.zipf(), x;
        if (Math.abs(s - 1) < 1e-9) x = Math.pow(n1, u);
        else x = Math.pow((Math.pow(n1, 1 - s) - 1) * u + 1, 1 / (1 - s));
        return (int) Math.min(c.items() - 1, Math.max(0, (long) x - 1));
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
     * Sessions [from, to): ids from+1.., starting 10 minutes apart, events 30-120 s apart. The test file's sessions are
     * shifted to start after the last training event, so the split is a clean cut in time.
     */
    private long sessions(Writer wr, Layout layout, SplittableRandom rnd, int[] len, int from, int to) throws IOException {
        long written = 0, shift = from == 0 ? 0 : Math.max(0, lastTime + 600 - (START_TIME + 600L * from));
        StringBuilder line = new StringBuilder(48);
        for (int s = from; s < to; s++) {
            long time = START_TIME + 600L * s + shift;
            int r = rank(rnd.nextDouble());
            for (int e = 0; e < len[s]; e++) {
                if (e > 0) {
                    r = rnd.nextDouble() < FOLLOW ? successor(r, rnd.nextInt(SUCCESSORS)) : rank(rnd.nextDouble());
                    time += 30 + rnd.nextInt(91);
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
