package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.tensor.Tensor;

import java.util.List;

/**
 * Something that scores all N items as {@code s = h·Wᵀ + b}: the LSTM model, or the popularity baseline as a
 * one-feature linear model. The evaluator ranks both through the same backend op.
 */
public interface Scorer {
    /** [n, F] features of each case's history, valid until the next call. */
    Tensor features(List<EvalCase> cases);

    /** [N, F] */
    Tensor weights();

    /** [N] */
    Tensor bias();
}
