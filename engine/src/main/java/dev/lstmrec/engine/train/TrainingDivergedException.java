package dev.lstmrec.engine.train;

/** The loss became NaN or infinite; the message says where and what to try. */
public class TrainingDivergedException extends RuntimeException {
    public TrainingDivergedException(String message) {
        super(message);
    }
}
