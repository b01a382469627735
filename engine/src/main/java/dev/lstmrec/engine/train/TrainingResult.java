package dev.lstmrec.engine.train;

import dev.lstmrec.engine.eval.Metrics;

import java.util.List;

/**
 * The outcome of {@link Trainer#fit}.
 *
 * @param epochs           every epoch run
 * @param bestEpoch        1-based epoch whose weights were kept
 * @param bestValidation   its validation metrics
 * @param stoppedEarly     whether early stopping ended the run before the maximum epochs
 * @param tokensPerSecond  training throughput over all epochs (predicted tokens, forward + backward + Adam)
 */
public record TrainingResult(List<EpochResult> epochs, int bestEpoch, Metrics bestValidation, boolean stoppedEarly,
                             double tokensPerSecond) {}
