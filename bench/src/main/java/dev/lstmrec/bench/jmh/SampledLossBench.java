// JMH: the sampled-training kernels on the shapes of one scoring group (B = 128 rows x C = B + K candidates) and of
// one lazy Adam step over the rows a step touches (U rows of an N x 64 table). The loss reads each logit three
// times and writes it once with one exp (C = 2176: 1.1 MB per group, L2-resident); Adam moves 7 floats per element.
// Each is checked once against the scalar backend before timing.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.AdagradStep;
import dev.lstmrec.engine.backend.AdamStep;
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

/** {@code sampledSoftmaxCrossEntropy}, {@code bprMaxLoss}, {@code adamUpdateRows} and {@code adagradUpdateRows}. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SampledLossBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    /** rows x candidates (rows + K). */
    @Param({"128x640", "128x2176"})
    public String group;

    private Backend be;
    private Case c;

    private static final class Case {
        final Tensor dLogits, dBias, loss, logits, bias, logQ, param, m, v, gradRows;
        final IntTensor ids, rows;
        final int n, cols;

        Case(Backend b, int n, int cols) {
            this.n = n;
            this.cols = cols;
            logits = Fixtures.tensor(b, Fixtures.random(21, n * cols, 6f), n, cols);
            bias = Fixtures.tensor(b, Fixtures.random(22, cols, 1f), cols);
            logQ = Fixtures.tensor(b, Fixtures.random(23, cols, 4f), cols);
            int[] cand = Fixtures.randomInts(24, cols, 0, 100_000);
            for (int j = 0; j < cols; j += 97) cand[j] = cand[(j * 7) % n]; // a few accidental hits
            ids = Fixtures.ints(b, cand, cols);
            dLogits = b.allocate(n, cols);
            dBias = b.allocate(cols);
            loss = b.allocate(1);
            int tableRows = 100_000, width = 64, touched = cols + n * 50 / 4;
            param = Fixtures.tensor(b, Fixtures.random(25, tableRows * width, 0.1f), tableRows, width);
            m = b.allocate(tableRows, width);
            v = b.allocate(tableRows, width);
            gradRows = Fixtures.tensor(b, Fixtures.random(26, touched * width, 0.01f), touched, width);
            int[] r = new int[touched];
            for (int i = 0; i < touched; i++) r[i] = (int) ((i * 7919L) % tableRows); // distinct: 7919 is prime
            rows = Fixtures.ints(b, r, touched);
        }

        void runLoss(Backend b) {
            b.sampledSoftmaxCrossEntropy(dLogits, dBias, loss, logits, bias, logQ, ids, 1f, 1f / n);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] rc = group.split("x");
        int n = Integer.parseInt(rc[0]), cols = Integer.parseInt(rc[1]);
        be = Fixtures.open(backend, threads);
        c = new Case(be, n, cols);
        c.runLoss(be);
        try (Backend s = Fixtures.reference()) {
            Case r = new Case(s, n, cols);
            r.runLoss(s);
            Fixtures.assertClose("sampled dLogits " + group, Fixtures.download(be, c.dLogits), Fixtures.download(s, r.dLogits), 1e-7);
            Fixtures.assertClose("sampled loss " + group, Fixtures.download(be, c.loss), Fixtures.download(s, r.loss));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void sampledSoftmaxCrossEntropy() {
        c.runLoss(be);
        be.synchronize();
    }

    @Benchmark
    public void bprMaxLoss() {
        be.bprMaxLoss(c.dLogits, c.dBias, c.loss, c.logits, c.bias, c.ids, 1f, 1f / c.n);
        be.synchronize();
    }

    @Benchmark
    public void adamUpdateRows() {
        be.adamUpdateRows(c.param, c.gradRows, c.m, c.v, c.rows, new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0f, 10, 1f));
        be.synchronize();
    }

    @Benchmark
    public void adagradUpdateRows() {
        // v as the accumulator: it stays positive, so repeated calls only grow it (the rate does not depend on values)
        be.adagradUpdateRows(c.param, c.gradRows, c.m, c.v, c.rows, new AdagradStep(0.1f, 0.2f, 1e-6f, 0f, 1f));
        be.synchronize();
    }
}
