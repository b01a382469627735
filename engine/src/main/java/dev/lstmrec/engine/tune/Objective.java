package dev.lstmrec.engine.tune;

// What the tuner optimises, behind an interface so the search logic is tested on a fast deterministic fake and runs
// real training through TrainingObjective.

/** Trains a trial further and reports its validation score. */
public interface Objective {
    /** After {@link #advance}: the trial's best validation score so far and where training stands. */
    record Outcome(double best, int bestEpoch, int epochs, boolean stoppedEarly) {}

    /** Per-epoch progress from inside {@link #advance}. */
    interface Progress {
        void onEpoch(int epoch, double validationScore, double seconds);
    }

    /**
     * Continues {@code trial} from where it stopped (its saved state, never from scratch) up to {@code toEpoch}
     * epochs in all, or until early stopping ends it.
     *
     * @throws Exception when training fails; a {@link dev.lstmrec.engine.train.TrainingDivergedException} or an
     *                   {@link IllegalArgumentException} marks only the trial as failed, anything else stops the tuner
     */
    Outcome advance(Trial trial, int toEpoch, Progress progress) throws Exception;

    /** Frees what {@code trial} keeps (e.g. its checkpoints): it is finished and can no longer win. */
    default void discard(Trial trial) throws Exception {}
}
