// JMH: one Adam step over the whole parameter slab of a model (the trainer makes one call per batch). Streams
// param, grad, m, v in and param, m, v out: 28 bytes per parameter. Checked once against the scalar backend.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.AdamStep;
import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
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

/** {@code adamUpdate} on the parameter count of a one-layer model N x d x h. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class AdamBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    /** N x d x h of the model whose parameters are updated. */
    @Param({"1682x64x64", "23715x128x128", "100000x256x256"})
    public String model;

    private Backend be;
    private Tensor param, grad, m, v;
    private int step;

    /** Parameter count of the one-layer model N x d x h, from the engine's own layout. */
    public static int parameterCount(String model) {
        String[] s = model.split("x");
        return new ParameterLayout(new ModelConfig(Integer.parseInt(s[0]), Integer.parseInt(s[1]), Integer.parseInt(s[2]),
                1, 50, 0f, 0f)).total();
    }

    private static Tensor[] slabs(Backend b, int n) {
        return new Tensor[] {Fixtures.tensor(b, Fixtures.random(31, n, 0.1f), n), Fixtures.tensor(b, Fixtures.random(32, n, 1f), n),
                Fixtures.tensor(b, Fixtures.random(33, n, 0.01f), n), Fixtures.tensor(b, abs(Fixtures.random(34, n, 0.01f)), n)};
    }

    private static float[] abs(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] = Math.abs(x[i]);
        return x;
    }

    private static AdamStep adam(int t) {
        return new AdamStep(1e-3f, 0.9f, 0.999f, 1e-8f, 0.01f, t, 0.5f);
    }

    @Setup(Level.Trial)
    public void setUp() {
        int n = parameterCount(model);
        be = Fixtures.open(backend, threads);
        Tensor[] got = slabs(be, n);
        be.adamUpdate(got[0], got[1], got[2], got[3], adam(3));
        try (Backend s = Fixtures.reference()) {
            Tensor[] ref = slabs(s, n);
            s.adamUpdate(ref[0], ref[1], ref[2], ref[3], adam(3));
            String[] names = {"param", "grad", "m", "v"};
            for (int i = 0; i < 4; i++) {
                Fixtures.assertClose("adam " + names[i] + " " + model, Fixtures.download(be, got[i]), Fixtures.download(s, ref[i]));
            }
        }
        param = got[0];
        grad = got[1];
        m = got[2];
        v = got[3];
        step = 3;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void adamUpdate() {
        be.adamUpdate(param, grad, m, v, adam(++step));
        be.synchronize();
    }
}
