// JMH: fused scoring + rank of each user's target among its listed candidates (the sampled evaluation protocol:
// 100 candidates per user, drawn from all N items). FLOPs = 2·256·101·h, one dot product per (user, candidate);
// checked once against the scalar backend (identical ranks) before timing.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.RankMode;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/** {@code scoreRank} in {@link RankMode#CANDIDATES} mode. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ScoreRankBench {
    static final int CANDIDATES = 100;

    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    @Param({"256"})
    public int users;

    /** N x h. */
    @Param({"23715x128"})
    public String catalog;

    private Case op;
    private Backend be;

    private static final class Case {
        final Backend b;
        final IntTensor outRank, targets, offsets, list;
        final Tensor h, w, bias;

        Case(Backend b, int users, int n, int hid) {
            this.b = b;
            h = Fixtures.tensor(b, Fixtures.random(51, users * hid, 1f), users, hid);
            w = Fixtures.tensor(b, Fixtures.random(52, n * hid, 1f), n, hid);
            bias = Fixtures.tensor(b, Fixtures.random(53, n, 0.1f), n);
            targets = Fixtures.ints(b, Fixtures.randomInts(54, users, 0, n), users);
            int[] off = new int[users + 1];
            for (int u = 0; u <= users; u++) off[u] = u * CANDIDATES;
            offsets = Fixtures.ints(b, off, users + 1);
            list = Fixtures.ints(b, Fixtures.randomInts(55, users * CANDIDATES, 0, n), users * CANDIDATES);
            outRank = b.allocateInt(users);
        }

        void run() {
            b.scoreRank(outRank, h, w, bias, targets, offsets, list, RankMode.CANDIDATES);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = catalog.split("x");
        int n = Integer.parseInt(s[0]), hid = Integer.parseInt(s[1]);
        be = Fixtures.open(backend, threads);
        op = new Case(be, users, n, hid);
        op.run();
        try (Backend ref = Fixtures.reference()) {
            Case r = new Case(ref, users, n, hid);
            r.run();
            Fixtures.assertSame("scoreRank candidates " + catalog, Fixtures.downloadInt(be, op.outRank), Fixtures.downloadInt(ref, r.outRank));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void scoreRankCandidates() {
        op.run();
        be.synchronize();
    }
}
