// JMH: every GEMM the training step runs, at the shapes it runs them (B = 128 sequences; see the gemm list).
// Each trial checks the first rows of C against the scalar backend once in @Setup; FLOPs = 2·M·N·K per call
// (bench/scripts/jmh_table.py turns the time into GFLOP/s).
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

/**
 * The model's GEMMs. Spec {@code label:XY:MxNxK:beta}; with P = B·T packed tokens, d = embedding, h = hidden, G = 4h:
 * <ul>
 *   <li>{@code proj}: input projection, gates[P, G] = x[P, d]·W_ihᵀ (NT, once per layer)</li>
 *   <li>{@code rec}: recurrent term, gates_t[B, G] += h_{t-1}[B, h]·W_hhᵀ (NT, once per step)</li>
 *   <li>{@code score}: a scoring chunk, logits[rows, N] = top[rows, h]·W_outᵀ (NT); rows = the engine's chunk
 *       (min(P, clamp(2^24 / N, 64, 8192)))</li>
 *   <li>{@code score_dx}: dTop[rows, h] = dLogits[rows, N]·W_out (NN); {@code score_dw}: dW_out[N, h] += dLogitsᵀ·top (TN)</li>
 *   <li>{@code rec_dx}: dh_{t-1}[B, h] += dGates_t[B, G]·W_hh (NN, once per step)</li>
 *   <li>{@code dw_ih}: dW_ih[G, d] += dGatesᵀ·x over all P (TN); {@code dw_hh}: dW_hh[G, h] += dGatesᵀ·h_prev over P - B (TN)</li>
 *   <li>{@code dx}: dx[P, d] = dGates[P, G]·W_ih (NN)</li>
 * </ul>
 * Shapes: T=200, d=h=64, N=1682 (MovieLens-100k-like); T=50, d=h=128, N=23715; T=50, d=h=256, N=100000.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ModelGemmBench {
    @Param({"scalar", "simd"})
    public String backend;

    @Param({"1"})
    public int threads;

    @Param({
            "proj:NT:25600x256x64:0", "proj:NT:6400x512x128:0", "proj:NT:6400x1024x256:0",
            "rec:NT:128x256x64:1", "rec:NT:128x512x128:1", "rec:NT:128x1024x256:1",
            "score:NT:8192x1682x64:0", "score:NT:707x23715x128:0", "score:NT:167x100000x256:0",
            "score_dx:NN:8192x64x1682:0", "score_dx:NN:707x128x23715:0",
            "score_dw:TN:1682x64x8192:1", "score_dw:TN:23715x128x707:1",
            "rec_dx:NN:128x64x256:1", "rec_dx:NN:128x128x512:1",
            "dw_ih:TN:256x64x25600:1", "dw_ih:TN:512x128x6400:1",
            "dw_hh:TN:256x64x25472:1", "dw_hh:TN:512x128x6272:1",
            "dx:NN:25600x64x256:0", "dx:NN:6400x128x512:0"})
    public String gemm;

    private Backend be;
    private GemmCase op;

    @Setup(Level.Trial)
    public void setUp() {
        be = Fixtures.open(backend, threads);
        op = new GemmCase(be, gemm, 42);
        op.check();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        if (be != null) be.close();
    }

    @Benchmark
    public void gemm() {
        op.run();
        be.synchronize();
    }
}
