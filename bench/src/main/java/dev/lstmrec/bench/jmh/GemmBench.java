// JMH: square SGEMM C = A·B, 2048³ (17.2 GFLOP per call), on 1 and 2 threads: the headline number to set against
// OpenBLAS (bench/compare/openblas_sgemm.py). The first rows of C are checked against the scalar backend once.
package dev.lstmrec.bench.jmh;

import dev.lstmrec.engine.backend.Backend;
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

/** Square NN SGEMM of size {@code n}, FLOPs = 2·n³ per call. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1", "2"})
    public int threads;

    @Param({"2048"})
    public int n;

    private Backend be;
    private GemmCase op;

    @Setup(Level.Trial)
    public void setUp() {
        be = Fixtures.open(backend, threads);
        op = new GemmCase(be, "sgemm:NN:" + n + "x" + n + "x" + n + ":0", 7);
        op.check();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void sgemm() {
        op.run();
        be.synchronize();
    }
}
