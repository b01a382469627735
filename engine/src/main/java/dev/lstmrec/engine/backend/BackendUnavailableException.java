package dev.lstmrec.engine.backend;

/** A named backend does not exist or cannot run here; the message says why. */
public class BackendUnavailableException extends RuntimeException {
    public BackendUnavailableException(String message) {
        super(message);
    }
}
