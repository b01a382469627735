package dev.lstmrec.engine.model;

import java.util.SplittableRandom;

/**
 * Seeded initial weights, computed on the host so every backend starts from the same numbers:
 * LSTM and output weights uniform in ±1/√H (PyTorch's default), embeddings N(0, 0.1²) with the padding row zero,
 * forget-gate bias 1 (a standard aid to early gradient flow), other biases 0.
 */
public final class Initializer {
    private Initializer() {}

    public static float[] initialWeights(ModelConfig config, ParameterLayout layout, long seed) {
        float[] w = new float[layout.total()];
        SplittableRandom rnd = new SplittableRandom(seed);
        float bound = (float) (1.0 / Math.sqrt(config.hiddenDim()));
        for (ParameterLayout.Entry e : layout.entries()) {
            int off = (int) e.offset();
            String name = e.name();
            if (name.equals("embedding")) {
                int dim = config.embeddingDim();
                for (int i = dim; i < e.size(); i++) w[off + i] = (float) (0.1 * gaussian(rnd));
            } else if (name.endsWith(".bias")) {
                int h = config.hiddenDim();
                for (int j = h; j < 2 * h; j++) w[off + j] = 1f;
            } else if (name.equals("out.b")) {
                // zeros
            } else {
                for (int i = 0; i < e.size(); i++) w[off + i] = (float) rnd.nextDouble(-bound, bound);
            }
        }
        return w;
    }

    private static double gaussian(SplittableRandom rnd) {
        double u1 = rnd.nextDouble(), u2 = rnd.nextDouble();
        return Math.sqrt(-2.0 * Math.log(1.0 - u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
