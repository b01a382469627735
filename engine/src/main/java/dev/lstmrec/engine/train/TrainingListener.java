package dev.lstmrec.engine.train;

/** Progress callbacks from {@link Trainer}; the library never prints, the CLI renders these. */
public interface TrainingListener {
    /**
     * After each batch.
     *
     * @param meanLoss     mean token loss of the epoch so far
     * @param tokensPerSec training throughput of the epoch so far
     * @param etaSeconds   estimate of the time left in this epoch
     */
    default void onBatch(int epoch, int batch, int batches, double meanLoss, double tokensPerSec, double etaSeconds) {}

    default void onEpoch(EpochResult result) {}

    /** A notice worth showing the user (e.g. where a resumed run continues from). */
    default void onMessage(String message) {}

    TrainingListener SILENT = new TrainingListener() {};
}
