package dev.lstmrec.engine.backend;

/**
 * Hyper-parameters of one Adagrad-with-momentum step over item-table rows (GRU4Rec's IndexedAdagradM), see
 * {@link Backend#adagradUpdateRows}.
 *
 * @param momentum    0 = plain Adagrad
 * @param eps         added to the accumulator inside the square root (GRU4Rec: 1e-6)
 * @param weightDecay decoupled: the row loses lr · weightDecay · param
 * @param gradScale   multiplier applied to the raw gradient first (global-norm clipping)
 */
public record AdagradStep(float lr, float momentum, float eps, float weightDecay, float gradScale) {
    public AdagradStep {
        if (!(lr >= 0) || !(momentum >= 0 && momentum < 1) || !(eps > 0)) {
            throw new IllegalArgumentException("Adagrad needs lr >= 0, 0 <= momentum < 1 and eps > 0, got lr " + lr
                    + ", momentum " + momentum + ", eps " + eps);
        }
    }
}
