package dev.lstmrec.engine.backend;

/**
 * Hyper-parameters of one Adam step, see {@link Backend#adamUpdate}.
 *
 * @param step      1-based step number t, for bias correction
 * @param gradScale multiplier applied to the raw gradient first (global-norm clipping)
 */
public record AdamStep(float lr, float beta1, float beta2, float eps, float weightDecay, int step, float gradScale) {
    public AdamStep {
        if (step < 1) throw new IllegalArgumentException("Adam step must be >= 1, got " + step);
    }

    /** 1 - β1^t */
    public float biasCorrection1() {
        return (float) (1.0 - Math.pow(beta1, step));
    }

    /** 1 - β2^t */
    public float biasCorrection2() {
        return (float) (1.0 - Math.pow(beta2, step));
    }
}
