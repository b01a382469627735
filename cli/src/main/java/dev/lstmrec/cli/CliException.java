package dev.lstmrec.cli;

/** A failure the user can act on, reported as one line with exit code 1. */
final class CliException extends RuntimeException {
    CliException(String message) {
        super(message);
    }
}
