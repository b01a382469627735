package dev.lstmrec.engine.train;

/**
 * The loss or the gradient norm became NaN or infinite; thrown before that step's update, the message says where and
 * what to try (in setting names, not CLI flags).
 */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
