package dev.lstmrec.engine.train;

// The learning-rate schedule, kept out of Trainer: Trainer asks for the factor of each step and multiplies --lr by it.
// Warm-up ramps linearly from lr/warmup to lr; the decay then runs over the rest of the horizon (all --epochs unless
// a shorter or longer horizon is set, which the tuner uses to stop trials early without changing their schedule).

import java.util.Locale;

/**
 * Learning-rate schedule: linear warm-up, then constant, linear decay to zero or cosine decay to zero.
 *
 * @param kind          {@code constant}, {@code linear} or {@code cosine}
 * @param warmup        warm-up length: a whole number of steps when {@code >= 1}, a fraction of the horizon's steps
 *                      when in [0, 1); 0 = no warm-up
 * @param horizonEpochs epochs over which the decay runs; 0 = the run's {@code --epochs}
 */
public record LrSchedule(Kind kind, double warmup, int horizonEpochs) {
    /** The shape after warm-up. */
    public enum Kind implements dev.lstmrec.engine.io.CliName {
        CONSTANT, LINEAR, COSINE;

        /** The CLI name ({@code constant}, {@code linear}, {@code cosine}). */
        @Override
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind fromCliName(String name) {
            return dev.lstmrec.engine.io.CliName.parse(values(), "lr-schedule", name);
        }
    }

    public LrSchedule {
        if (kind == null) throw new IllegalArgumentException("--lr-schedule must be given");
        if (!(warmup >= 0) || Double.isInfinite(warmup) || (warmup >= 1 && warmup != Math.rint(warmup))) {
            throw new IllegalArgumentException("--warmup must be a whole number of steps or a fraction in [0, 1), got " + warmup);
        }
        if (horizonEpochs < 0) throw new IllegalArgumentException("schedule horizon must be >= 0 epochs, got " + horizonEpochs);
    }

    /** A constant learning rate, no warm-up. */
    public static LrSchedule constant() {
        return new LrSchedule(Kind.CONSTANT, 0, 0);
    }

    /** This schedule with the decay running over {@code epochs} epochs whatever {@code --epochs} says. */
    public LrSchedule withHorizon(int epochs) {
        return new LrSchedule(kind, warmup, epochs);
    }

    /** Warm-up steps for a horizon of {@code totalSteps} steps. */
    public long warmupSteps(long totalSteps) {
        return warmup >= 1 ? (long) warmup : (long) Math.floor(warmup * totalSteps);
    }

    /**
     * The multiplier of the base learning rate at 1-based step {@code step} of a horizon of {@code totalSteps} steps.
     * Steps past the horizon keep the final factor (0 for the decays).
     */
    public double factor(long step, long totalSteps) {
        long warm = warmupSteps(totalSteps);
        if (step <= warm) return (double) step / warm;
        if (kind == Kind.CONSTANT) return 1;
        long decaySteps = Math.max(1, totalSteps - warm);
        double p = Math.min(1.0, (double) (step - warm) / decaySteps);
        return kind == Kind.LINEAR ? 1 - p : 0.5 * (1 + Math.cos(Math.PI * p));
    }

    /** As the CLI would say it, e.g. {@code cosine, warm-up 0.05}. */
    public String describe() {
        return kind.cliName() + (warmup > 0 ? ", warm-up " + (warmup >= 1 ? Long.toString((long) warmup) + " steps" : warmup) : "");
    }
}
