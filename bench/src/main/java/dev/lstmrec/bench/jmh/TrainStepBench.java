// JMH: one whole training step (Trainer.trainBatch: embedding, LSTM forward, chunked scoring + softmax-CE, BPTT,
// weight gradients, Adam) on a synthetic batch of B sequences of exactly T items. FLOPs per step ≈
// 3·B·T·(2·4h·(d+h) + 2·N·h) (forward once, backward twice). The first step's loss is checked once against the
// scalar backend from the same seed (same initial weights, same batch) before timing.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.bench.Throughput;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** {@code Trainer.trainBatch} at the comparison shapes; {@code step} = N x T x d x h x B. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class TrainStepBench {
    @Param({"scalar", "simd"})
    public String backend;

    /** Training uses every core by default. */
    @Param({"2"})
    public int threads;

    @Param({"1682x200x64x64x128", "23715x50x128x128x128"})
    public String step;

    private Backend be;
    private Trainer trainer;
    private PackedBatch batch;

    private static Trainer trainer(Backend b, int[] s) {
        return new Trainer(b, new ModelConfig(s[0], s[2], s[3], 1, s[1], 0f, 0f), new TrainConfig(s[4], 1e-3f, 1, 0, 1, 0f, 0f));
    }

    @Setup(Level.Trial)
    public void setUp() {
        String[] p = step.split("x");
        int[] s = new int[5];
        for (int i = 0; i < 5; i++) s[i] = Integer.parseInt(p[i]);
        batch = Throughput.trainingBatch(new SplittableRandom(3), s[4], s[1], s[0]);
        be = Fixtures.open(backend, threads);
        trainer = trainer(be, s);
        float got = (float) (trainer.trainBatch(batch) / batch.predictedTokens());
        float ref;
        try (Backend r = Fixtures.reference()) {
            ref = (float) (trainer(r, s).trainBatch(batch) / batch.predictedTokens());
        }
        Fixtures.assertClose("training step mean loss " + step, new float[] {got}, new float[] {ref});
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public double trainBatch() {
        return trainer.trainBatch(batch);
    }
}
