// JMH: the fused LSTM gate kernels on one time step of a full batch, [B, h] with B = 128 (the rows each step of
// training runs). Memory-bound: forward moves 11·B·h floats, backward 13·B·h. Both kernels are checked once
// against the scalar backend on the same inputs before timing.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
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

/** {@code lstmCellForward} and {@code lstmCellBackward} (with dcPrev aliasing dc, as the trainer calls it). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class LstmCellBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    @Param({"128"})
    public int batch;

    @Param({"64", "128", "256"})
    public int hidden;

    private Backend be;
    private Tensor h, c, gates, bias, cPrev, dGates, dh, dc;

    /** Inputs of one step; the same seeds give the same values on every backend. */
    private static final class Step {
        final Tensor h, c, gates, bias, cPrev, dGates, dh, dc;

        Step(Backend b, int n, int hid) {
            int g = 4 * hid;
            h = b.allocate(n, hid);
            c = b.allocate(n, hid);
            gates = Fixtures.tensor(b, Fixtures.random(1, n * g, 2f), n, g);
            bias = Fixtures.tensor(b, Fixtures.random(2, g, 0.5f), g);
            cPrev = Fixtures.tensor(b, Fixtures.random(3, n * hid, 1f), n, hid);
            dGates = b.allocate(n, g);
            dh = Fixtures.tensor(b, Fixtures.random(4, n * hid, 1f), n, hid);
            dc = Fixtures.tensor(b, Fixtures.random(5, n * hid, 1f), n, hid);
        }

        /** Forward then backward once; returns h, c, activations, dGates and dcPrev, concatenated. */
        float[][] run(Backend b) {
            b.lstmCellForward(h, c, gates, bias, cPrev);
            b.lstmCellBackward(dGates, dc, dh, dc, gates, c, cPrev);
            return new float[][] {Fixtures.download(b, h), Fixtures.download(b, c), Fixtures.download(b, gates),
                    Fixtures.download(b, dGates), Fixtures.download(b, dc)};
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        be = Fixtures.open(backend, threads);
        float[][] got = new Step(be, batch, hidden).run(be);
        float[][] ref;
        try (Backend s = Fixtures.reference()) {
            ref = new Step(s, batch, hidden).run(s);
        }
        String[] names = {"h", "c", "gates", "dGates", "dcPrev"};
        for (int i = 0; i < names.length; i++) Fixtures.assertClose("lstmCell " + names[i] + " [" + batch + ", " + hidden + "]", got[i], ref[i]);
        Step s = new Step(be, batch, hidden);
        h = s.h;
        c = s.c;
        gates = s.gates;
        bias = s.bias;
        cPrev = s.cPrev;
        dGates = s.dGates;
        dh = s.dh;
        dc = s.dc;
        // The backward reads activations, so give it a forward's output; repeating the forward on its own output
        // keeps the values in range (sigmoid/tanh of bounded inputs), so timing is unaffected.
        be.lstmCellForward(h, c, gates, bias, cPrev);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void forward() {
        be.lstmCellForward(h, c, gates, bias, cPrev);
        be.synchronize();
    }

    @Benchmark
    public void backward() {
        be.lstmCellBackward(dGates, dc, dh, dc, gates, c, cPrev);
        be.synchronize();
    }
}
