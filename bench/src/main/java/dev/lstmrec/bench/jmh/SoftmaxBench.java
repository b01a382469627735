// JMH: fused masked softmax + cross-entropy + gradient on one scoring chunk [rows, N], the shapes the engine's
// chunking gives (rows = min(P, clamp(2^24 / N, 64, 8192))). Reads rows·N logits and writes rows·N gradients
// (plus an exp per element); checked once against the scalar backend (gradient and loss) before timing.
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

/**
 * {@code softmaxCrossEntropy} with a separate gradient buffer (the contract allows aliasing; a separate one keeps
 * the logits unchanged between calls). One row in 16 is masked (target -1), as padding would be.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class SoftmaxBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    /** rows x N. */
    @Param({"8192x1682", "707x23715", "167x100000"})
    public String chunk;

    private Backend be;
    private Tensor dLogits, loss, logits;
    private IntTensor targets;
    private float scale;

    private static final class Case {
        final Tensor dLogits, loss, logits;
        final IntTensor targets;

        Case(Backend b, int rows, int items) {
            logits = Fixtures.tensor(b, Fixtures.random(11, rows * items, 8f), rows, items);
            int[] t = Fixtures.randomInts(12, rows, 0, items);
            for (int r = 0; r < rows; r += 16) t[r] = -1;
            targets = Fixtures.ints(b, t, rows);
            dLogits = b.allocate(rows, items);
            loss = b.allocate(1);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] rn = chunk.split("x");
        int rows = Integer.parseInt(rn[0]), items = Integer.parseInt(rn[1]);
        scale = 1f / rows;
        be = Fixtures.open(backend, threads);
        Case c = new Case(be, rows, items);
        be.softmaxCrossEntropy(c.dLogits, c.loss, c.logits, c.targets, scale);
        try (Backend s = Fixtures.reference()) {
            Case r = new Case(s, rows, items);
            s.softmaxCrossEntropy(r.dLogits, r.loss, r.logits, r.targets, scale);
            Fixtures.assertClose("softmaxCE dLogits " + chunk, Fixtures.download(be, c.dLogits), Fixtures.download(s, r.dLogits), 1e-7);
            Fixtures.assertClose("softmaxCE loss " + chunk, Fixtures.download(be, c.loss), Fixtures.download(s, r.loss));
        }
        dLogits = c.dLogits;
        loss = c.loss;
        logits = c.logits;
        targets = c.targets;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void softmaxCrossEntropy() {
        be.softmaxCrossEntropy(dLogits, loss, logits, targets, scale);
        be.synchronize();
    }
}
