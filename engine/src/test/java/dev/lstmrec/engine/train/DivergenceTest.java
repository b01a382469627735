package dev.lstmrec.engine.train;

// A NaN or infinite gradient (here: one gradient coordinate poisoned by a wrapping backend just before the norm is
// taken, while the loss stays finite) stops training with a divergence message before the update is applied, with
// gradient clipping on (where `norm > clip` is false for NaN) and off.

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.PackedBatch;
import dev.lstmrec.engine.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DivergenceTest {
    /** The scalar backend, except that the gradient's first coordinate becomes {@code poison} before each norm. */
    private static Backend poisoningGradients(float poison) {
        ScalarBackend scalar = new ScalarBackend();
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (proxy, m, args) -> {
            if (m.getName().equals("sumSquares")) {
                Tensor grads = (Tensor) args[1];
                float[] g = new float[grads.size()];
                scalar.download(g, 0, grads);
                g[0] = poison;
                scalar.upload(grads, g, 0);
            }
            try {
                return m.invoke(scalar, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @ParameterizedTest
    @CsvSource({"NaN, 5", "NaN, 0", "Infinity, 5", "-Infinity, 0"})
    void aNonFiniteGradientNormStopsBeforeTheUpdate(float poison, float clipNorm) {
        ModelConfig mc = new ModelConfig(12, 4, 4, 1, 6, 0f, 0f);
        Trainer t = new Trainer(poisoningGradients(poison), mc, new TrainConfig(4, 0.01f, 1, 0, 3, 0f, clipNorm));
        float[] before = t.downloadWeights();
        PackedBatch batch = PackedBatch.pack(List.of(new int[] {1, 2, 3}, new int[] {4, 5}), List.of(new int[] {2, 3, 4}, new int[] {5, 6}));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class, () -> t.trainBatch(batch));
        assertTrue(e.getMessage().contains("gradient norm") && e.getMessage().contains("before the update"), e.getMessage());
        assertFalse(e.getMessage().contains("--"), "library messages name no CLI flags: " + e.getMessage());
        assertArrayEquals(before, t.downloadWeights(), "no update was applied");
        assertEquals(before.length, t.layout().total());
    }
}
