package dev.lstmrec.spark;

import java.io.Serializable;

/**
 * What the driver broadcasts at the start of a training round: the settings, the averaged weights and Adam moments
 * (in engine ParameterLayout order), the Adam step counter, and which batches of which epoch the round covers.
 * A task is a pure function of this, its partition and the seed, so a retried task ships the same update.
 */
public record RoundState(TrainSettings settings, int numItems, float[] weights, float[] adamM, float[] adamV, int step,
                         int epoch, int firstBatch) implements Serializable {
    /** Bytes of the arrays (what the broadcast moves, before compression). */
    public long bytes() {
        return 4L * (weights.length + adamM.length + adamV.length);
    }
}
