package dev.lstmrec.engine.train;

import dev.lstmrec.engine.eval.Metrics;

/**
 * What one epoch did.
 *
 * @param epoch         1-based
 * @param loss          mean token cross-entropy over the epoch
 * @param seconds       wall time of the training part
 * @param tokens        predicted tokens trained
 * @param validation    validation metrics after the epoch
 * @param validSeconds  wall time of the validation
 * @param improved      whether this epoch is the best so far (its weights are kept)
 */
public record EpochResult(int epoch, double loss, double seconds, long tokens, Metrics validation,
                          double validSeconds, boolean improved) {
    public double tokensPerSecond() {
        return seconds > 0 ? tokens / seconds : 0;
    }
}
