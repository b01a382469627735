package dev.lstmrec.engine.backend;

/** Whether a backend can run here, and a one-line reason either way (shown by {@code lstmrec info}). */
public record Probe(boolean usable, String reason) {
    public static Probe ok(String reason) {
        return new Probe(true, reason);
    }

    public static Probe unavailable(String reason) {
        return new Probe(false, reason);
    }
}
