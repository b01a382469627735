// JMH: fused scoring + top-10 for a batch of 256 users over all N items, each user excluding 50 seen items
// (what serving and full-ranking evaluation run). FLOPs = 2·256·N·h; checked once against the scalar backend
// (identical indices, close scores) before timing.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
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

/** {@code scoreTopK} with K = 10. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ScoreTopKBench {
    static final int K = 10;
    static final int SEEN = 50;

    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    @Param({"256"})
    public int users;

    /** N x h. */
    @Param({"1682x64", "23715x128", "100000x256"})
    public String catalog;

    private Case op;
    private Backend be;

    private static final class Case {
        final Backend b;
        final IntTensor outIndex, offsets, exclude;
        final Tensor outScore, h, w, bias;

        Case(Backend b, int users, int n, int hid) {
            this.b = b;
            h = Fixtures.tensor(b, Fixtures.random(41, users * hid, 1f), users, hid);
            w = Fixtures.tensor(b, Fixtures.random(42, n * hid, 1f), n, hid);
            bias = Fixtures.tensor(b, Fixtures.random(43, n, 0.1f), n);
            int[] off = new int[users + 1];
            for (int u = 0; u <= users; u++) off[u] = u * SEEN;
            offsets = Fixtures.ints(b, off, users + 1);
            exclude = Fixtures.ints(b, Fixtures.randomInts(44, users * SEEN, 0, n), users * SEEN);
            outIndex = b.allocateInt(users, K);
            outScore = b.allocate(users, K);
        }

        void run() {
            b.scoreTopK(outIndex, outScore, h, w, bias, offsets, exclude);
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
            Fixtures.assertSame("scoreTopK index " + catalog, Fixtures.downloadInt(be, op.outIndex), Fixtures.downloadInt(ref, r.outIndex));
            Fixtures.assertClose("scoreTopK score " + catalog, Fixtures.download(be, op.outScore), Fixtures.download(ref, r.outScore));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void scoreTopK() {
        op.run();
        be.synchronize();
    }
}
