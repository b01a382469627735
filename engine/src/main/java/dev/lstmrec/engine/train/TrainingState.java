package dev.lstmrec.engine.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Everything needed to continue a training run exactly where it stopped: the weights and Adam moments, the step
 * counter, the position in the data (epoch and next batch; the order of an epoch and every dropout mask are pure
 * functions of the seed, the epoch and the batch, so no generator state is needed), the partial epoch's loss, the
 * early-stopping bookkeeping with the best weights, and the finished epochs' history.
 */
public final class TrainingState {
    int epoch = 1;
    int nextBatch;
    double epochLoss;
    long epochTokens;
    double epochSeconds;
    int step;
    double bestScore = Double.NEGATIVE_INFINITY;
    int bestEpoch;
    int sinceBest;
    float[] best;
    float[] weights;
    float[] adamM;
    float[] adamV;
    final List<EpochResult> history = new ArrayList<>();

    /** The 1-based epoch in progress (or about to start). */
    public int epoch() {
        return epoch;
    }

    /** Index of the next batch to train within {@link #epoch()}. */
    public int nextBatch() {
        return nextBatch;
    }

    /** Adam steps taken so far. */
    public int step() {
        return step;
    }

    /** Finished epochs. */
    public List<EpochResult> history() {
        return List.copyOf(history);
    }
}
