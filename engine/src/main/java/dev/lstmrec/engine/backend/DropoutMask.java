package dev.lstmrec.engine.backend;

/**
 * The dropout mask as a pure function of (seed, element index): a SplitMix64-style hash of both, its top 24 bits
 * compared with p. Every backend (Java or CUDA) computes exactly this, so masks agree bit for bit and the
 * backward can redraw the forward's mask instead of storing it.
 */
public final class DropoutMask {
    private DropoutMask() {}

    /** True when element {@code index} is kept under drop probability {@code p}. */
    public static boolean keep(long seed, long index, float p) {
        return uniform24(seed, index) >= threshold(p);
    }

    /** 24-bit uniform integer in [0, 2^24). */
    public static int uniform24(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (int) (z >>> 40);
    }

    /** Drop when uniform24 &lt; threshold. */
    public static int threshold(float p) {
        return (int) Math.min(1L << 24, Math.round((double) p * (1 << 24)));
    }
}
