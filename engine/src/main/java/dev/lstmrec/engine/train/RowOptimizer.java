package dev.lstmrec.engine.train;

/**
 * How the sampled losses update the item tables (output rows, output biases, input embedding), which receive sparse
 * gradients: lazy Adam (row-wise Adam with the run's learning rate, the default) or GRU4Rec's IndexedAdagradM
 * (Adagrad with momentum, its own learning rate). Either way only the rows a step touched are read or written; the
 * dense LSTM weights always use Adam. The full softmax ignores this: every row gets gradient there, and Adam updates
 * the whole table.
 *
 * @param lr       Adagrad's learning rate (unused by Adam, which takes the run's --lr)
 * @param momentum Adagrad's momentum (0 = plain Adagrad)
 */
public record RowOptimizer(Kind kind, float lr, float momentum) {
    /** GRU4Rec's Adagrad epsilon (inside the square root). */
    public static final float ADAGRAD_EPS = 1e-6f;

    public enum Kind implements dev.lstmrec.engine.io.CliName {
        ADAM("adam"), ADAGRAD("adagrad");

        private final String cliName;

        Kind(String cliName) {
            this.cliName = cliName;
        }

        @Override
        public String cliName() {
            return cliName;
        }

        public static Kind parse(String s) {
            return dev.lstmrec.engine.io.CliName.parse(values(), "row-optimizer", s);
        }
    }

    public RowOptimizer {
        if (kind == null) throw new IllegalArgumentException("row optimizer must be given");
        if (!(lr > 0) || Float.isInfinite(lr)) throw new IllegalArgumentException("--adagrad-lr must be > 0, got " + lr);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("--adagrad-momentum must be in [0, 1), got " + momentum);
    }

    /** The default: lazy Adam; Adagrad's settings at GRU4Rec's defaults (lr 0.05, no momentum) for when it is chosen. */
    public static RowOptimizer adam() {
        return new RowOptimizer(Kind.ADAM, 0.05f, 0f);
    }

    /** Text for the loss line and the report. */
    public String describe() {
        return kind == Kind.ADAM ? "lazy Adam on touched rows"
                : "Adagrad (lr " + lr + ", momentum " + momentum + ") on touched rows";
    }
}
