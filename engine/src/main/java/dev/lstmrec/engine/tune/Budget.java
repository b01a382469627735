package dev.lstmrec.engine.tune;

// Budget accounting: how many trials may start and how much time the search may spend. Time is measured on an
// injected clock and carried across restarts (the state file stores the seconds spent), so a resumed search gets
// only what is left. A job starts only when its estimated time plus the time reserved to finish the current
// leader fits in what is left, so the whole run (search and the winner's last epochs) stays within the budget.

import java.util.List;
import java.util.function.LongSupplier;

/** Trial-count and wall-clock limits of a search. */
public final class Budget {
    private final int maxTrials;
    private final double seconds;
    private final LongSupplier nanoClock;
    private double spentBefore;
    private long sessionStart;

    /**
     * @param maxTrials trials that may start; 0 = no limit
     * @param seconds   wall-clock budget; 0 = no limit
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime}; a fake in tests)
     */
    public Budget(int maxTrials, double seconds, LongSupplier nanoClock) {
        if (maxTrials < 0) throw new IllegalArgumentException("--trials must be >= 0, got " + maxTrials);
        if (!(seconds >= 0) || Double.isInfinite(seconds)) throw new IllegalArgumentException("--time-budget must be >= 0, got " + seconds);
        if (maxTrials == 0 && seconds == 0) throw new IllegalArgumentException("give --trials or --time-budget (or both)");
        this.maxTrials = maxTrials;
        this.seconds = seconds;
        this.nanoClock = nanoClock;
        this.sessionStart = nanoClock.getAsLong();
    }

    /** Continues the accounting of an earlier session that had spent {@code spent} seconds. */
    void resumeFrom(double spent) {
        this.spentBefore = spent;
        this.sessionStart = nanoClock.getAsLong();
    }

    /** Seconds spent, this session and earlier ones together. */
    public double spent() {
        return spentBefore + (nanoClock.getAsLong() - sessionStart) / 1e9;
    }

    /** Seconds left; infinity without a time limit. */
    public double left() {
        return seconds == 0 ? Double.POSITIVE_INFINITY : seconds - spent();
    }

    public boolean mayStartTrial(int started) {
        return maxTrials == 0 || started < maxTrials;
    }

    /** Whether a job estimated at {@code jobSeconds}, with {@code reserveSeconds} kept back, fits in what is left. */
    public boolean fits(double jobSeconds, double reserveSeconds) {
        return seconds == 0 || jobSeconds + reserveSeconds <= left();
    }

    /**
     * The time {@code epochs} more epochs of {@code trial} are expected to take: its own pace when it has trained,
     * else the mean pace of the others, else 0 (nothing is known yet).
     */
    static double estimate(Trial trial, int epochs, List<Trial> all) {
        double pace = trial.secondsPerEpoch();
        if (Double.isNaN(pace)) {
            double s = 0;
            int e = 0;
            for (Trial t : all) {
                s += t.seconds;
                e += t.epochs;
            }
            pace = e > 0 ? s / e : 0;
        }
        return Math.max(0, epochs) * pace;
    }
}
