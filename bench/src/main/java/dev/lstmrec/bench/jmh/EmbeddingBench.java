// JMH: embedding gather (forward, out[P, d] = table[ids]) and scatter-add (backward, dTable[ids] += dOut) over all
// P = B·T packed tokens of a batch, ids drawn from the N+1 rows. Memory-bound: gather moves 2·P·d floats,
// scatter 3·P·d. Checked once against the scalar backend (the scatter with repeated ids) before timing.
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

/** {@code embeddingForward} and {@code embeddingBackward}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class EmbeddingBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    /** P x d x N: tokens, width, items (the table has N+1 rows). */
    @Param({"25600x64x1682", "6400x128x23715", "6400x256x100000"})
    public String lookup;

    private Backend be;
    private Tensor out, table, dTable;
    private IntTensor ids;

    private static final class Case {
        final Tensor out, table, dTable;
        final IntTensor ids;

        Case(Backend b, int p, int d, int n) {
            table = Fixtures.tensor(b, Fixtures.random(21, (n + 1) * d, 1f), n + 1, d);
            dTable = Fixtures.tensor(b, Fixtures.random(22, (n + 1) * d, 1f), n + 1, d);
            ids = Fixtures.ints(b, Fixtures.randomInts(23, p, 0, n + 1), p);
            out = b.allocate(p, d);
        }

        void run(Backend b) {
            b.embeddingForward(out, table, ids);
            b.embeddingBackward(dTable, out, ids);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] s = lookup.split("x");
        int p = Integer.parseInt(s[0]), d = Integer.parseInt(s[1]), n = Integer.parseInt(s[2]);
        be = Fixtures.open(backend, threads);
        Case c = new Case(be, p, d, n);
        c.run(be);
        try (Backend ref = Fixtures.reference()) {
            Case r = new Case(ref, p, d, n);
            r.run(ref);
            Fixtures.assertClose("embeddingForward " + lookup, Fixtures.download(be, c.out), Fixtures.download(ref, r.out));
            Fixtures.assertClose("embeddingBackward " + lookup, Fixtures.download(be, c.dTable), Fixtures.download(ref, r.dTable));
        }
        out = c.out;
        table = c.table;
        dTable = c.dTable;
        ids = c.ids;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void gather() {
        be.embeddingForward(out, table, ids);
        be.synchronize();
    }

    @Benchmark
    public void scatter() {
        be.embeddingBackward(dTable, out, ids);
        be.synchronize();
    }
}
