package dev.lstmrec.engine.backend;

/**
 * Checks a kernel makes on the data it reads (an embedding id, a target), which the checked front cannot see without
 * reading device memory. Shape, ownership and lifetime checks of arguments live in {@link CheckedBackend} only.
 */
public final class Checks {
    private Checks() {}

    public static void require(boolean condition, String message) {
        if (!condition) throw new IllegalArgumentException(message);
    }

    /** Throws unless 0 ≤ value &lt; bound; the message is only built on failure (this runs per element). */
    public static void index(String what, int value, int bound) {
        if (value < 0 || value >= bound) throw new IllegalArgumentException(what + " " + value + " outside [0, " + bound + ")");
    }
}
