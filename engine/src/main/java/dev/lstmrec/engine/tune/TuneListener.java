package dev.lstmrec.engine.tune;

// Progress from the tuner; the library never prints, the CLI renders these.

/** Callbacks from {@link Tuner}. */
public interface TuneListener {
    /** A job starts: {@code trial} trains from its current epochs to {@code toEpoch}. */
    default void onJobStart(Trial trial, int toEpoch, boolean promotion, double secondsLeft) {}

    /** An epoch of {@code trial} finished with {@code score} on validation. */
    default void onEpoch(Trial trial, int epoch, double score, double secondsLeft) {}

    /** A job finished (the trial's fields are updated). */
    default void onJobDone(Trial trial, double secondsLeft) {}

    default void onMessage(String message) {}

    TuneListener SILENT = new TuneListener() {};
}
