package dev.lstmrec.cli;

import sun.misc.Signal;

/**
 * SIGHUP as a "reload" request for {@code lstmrec serve}, through {@code sun.misc.Signal} (module jdk.unsupported, the
 * only JDK API for it). Where it is unavailable (no jdk.unsupported, Windows, or -Xrs) the server runs without it and
 * says so once; {@code --watch} and a restart still reload.
 */
final class HangupSignal {
    private HangupSignal() {}

    /** Runs {@code action} on each SIGHUP; returns a one-line reason when that cannot be arranged, else null. */
    static String install(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), s -> action.run());
            return null;
        } catch (IllegalArgumentException | UnsupportedOperationException | LinkageError e) {
            return "SIGHUP cannot be handled here (" + e.getMessage() + "); reload with --watch or a restart";
        }
    }
}
