package dev.lstmrec.engine.backend.conformance;

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.TrainConfig;
import dev.lstmrec.engine.train.Trainer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Whole training steps agree across backends: a tiny two-layer model with dropout and clipping takes 10 Adam steps
 * on fixed packed batches (variable lengths, a length-1 sequence), and every backend's per-step losses must match
 * the golden scalar curve committed below, and its final weights the scalar ones, within float tolerance. The
 * sampled losses (sampled softmax, BPR-max; untied and tied) take the same steps with sparse row updates and must
 * match the scalar backend's curve and weights.
 *
 * <p>Use: {@code class MyTrainingStepAgreementTest extends TrainingStepAgreementSuite {}} in a module whose classpath
 * holds the backends to check (every discovered backend is checked; one that cannot run here is skipped with its
 * probe's reason).
 */
public abstract class TrainingStepAgreementSuite {
    /**
     * Mean token losses of the 10 steps on the scalar backend (regenerate by printing {@link #losses}); the weight
     * decay reaches the weight matrices only, not the embeddings and biases.
     */
    private static final double[] GOLDEN = {
        3.610412, 3.612420, 3.608909, 3.595708, 3.597767, 3.599245, 3.569819, 3.575503, 3.577280, 3.542702};
    private static final int ITEMS = 37;

    static Stream<String> backends() {
        return Backends.discover().stream().map(f -> f.provider().name());
    }

    private static List<PackedBatch> batches() {
        SplittableRandom r = new SplittableRandom(11);
        List<PackedBatch> out = new ArrayList<>();
        for (int b = 0; b < 3; b++) {
            List<int[]> in = new ArrayList<>(), tg = new ArrayList<>();
            for (int s = 0; s < 9; s++) {
                int len = s == 0 ? 1 : 1 + r.nextInt(23);
                int[] x = new int[len], y = new int[len];
                for (int t = 0; t < len; t++) {
                    x[t] = 1 + r.nextInt(ITEMS);
                    y[t] = (x[t] * 7 + t) % ITEMS;
                }
                in.add(x);
                tg.add(y);
            }
            out.add(PackedBatch.pack(in, tg));
        }
        return out;
    }

    private static double[] losses(Backend backend, float[][] finalWeights) {
        ModelConfig mc = new ModelConfig(ITEMS, 12, 17, 2, 30, 0.1f, 0.2f);
        Trainer t = new Trainer(backend, mc, new TrainConfig(9, 0.01f, 1, 0, 3, 0.01f, 1f));
        List<PackedBatch> batches = batches();
        double[] l = new double[10];
        for (int i = 0; i < 10; i++) {
            PackedBatch b = batches.get(i % batches.size());
            l[i] = t.trainBatch(b) / b.predictedTokens();
        }
        finalWeights[0] = t.downloadWeights();
        return l;
    }

    private static double[] sampledLosses(Backend backend, LossConfig.Loss loss, boolean tied, float[][] finalWeights) {
        ModelConfig mc = new ModelConfig(ITEMS, 17, 17, 2, 30, 0.1f, 0.2f, tied);
        Trainer t = new Trainer(backend, mc, new TrainConfig(9, 0.01f, 1, 0, 3, 0.01f, 1f), new LossConfig(loss, 11, 0.5f, 1f, 1f));
        long[] counts = new long[ITEMS];
        for (int j = 0; j < ITEMS; j++) counts[j] = 1 + (j * 13) % 7;
        t.setSamplingCounts(counts);
        List<PackedBatch> batches = batches();
        double[] l = new double[10];
        for (int i = 0; i < 10; i++) {
            PackedBatch b = batches.get(i % batches.size());
            l[i] = t.trainBatch(b) / b.predictedTokens();
        }
        finalWeights[0] = t.downloadWeights();
        return l;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void sampledLossStepsMatchTheScalarBackend(String name) {
        Backends.Found found = Backends.discover().stream().filter(f -> f.provider().name().equals(name)).findFirst().orElseThrow();
        Assumptions.assumeTrue(found.probe().usable(), name + " unavailable: " + found.probe().reason());
        try (Backend b = found.provider().create(BackendOptions.defaults())) {
            for (LossConfig.Loss loss : new LossConfig.Loss[] {LossConfig.Loss.SAMPLED, LossConfig.Loss.BPR_MAX}) {
                for (boolean tied : new boolean[] {false, true}) {
                    String what = name + " " + loss.cliName() + (tied ? " tied" : "");
                    float[][] ref = new float[1][], got = new float[1][];
                    double[] scalar = sampledLosses(new ScalarBackend(), loss, tied, ref);
                    double[] l = sampledLosses(b, loss, tied, got);
                    for (int i = 0; i < 10; i++) assertEquals(scalar[i], l[i], Tolerances.GOLDEN_LOSS_ATOL * Math.max(1, Math.abs(scalar[i])), what + " step " + (i + 1));
                    assertTrue(scalar[9] < scalar[0], what + ": the loss falls " + scalar[0] + " -> " + scalar[9]);
                    double maxDiff = 0;
                    for (int i = 0; i < ref[0].length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[0][i] - got[0][i]));
                    assertTrue(maxDiff < Tolerances.GOLDEN_WEIGHT_ATOL, what + " weights after 10 steps differ from scalar by " + maxDiff);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("backends")
    void tenStepsFollowTheGoldenScalarCurve(String name) {
        Backends.Found found = Backends.discover().stream().filter(f -> f.provider().name().equals(name)).findFirst().orElseThrow();
        Assumptions.assumeTrue(found.probe().usable(), name + " unavailable: " + found.probe().reason());
        float[][] ref = new float[1][], got = new float[1][];
        double[] scalar = losses(new ScalarBackend(), ref);
        try (Backend b = found.create(BackendOptions.defaults())) {
            double[] l = losses(b, got);
            for (int i = 0; i < 10; i++) {
                assertEquals(GOLDEN[i], scalar[i], Tolerances.GOLDEN_SCALAR_LOSS_ATOL, "scalar step " + (i + 1) + " vs golden");
                assertEquals(GOLDEN[i], l[i], Tolerances.GOLDEN_LOSS_ATOL, name + " step " + (i + 1) + " vs golden");
            }
            double maxDiff = 0;
            for (int i = 0; i < ref[0].length; i++) maxDiff = Math.max(maxDiff, Math.abs(ref[0][i] - got[0][i]));
            assertTrue(maxDiff < Tolerances.GOLDEN_WEIGHT_ATOL, name + " weights after 10 steps differ from scalar by " + maxDiff);
        }
    }
}
