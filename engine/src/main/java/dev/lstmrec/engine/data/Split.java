package dev.lstmrec.engine.data;

import java.util.Arrays;

/**
 * A leave-one-out split of a {@link Dataset}, made by {@link LeaveOneOut#split(Dataset)}. For an evaluated user
 * (at least {@link LeaveOneOut#MIN_LENGTH} interactions) with sequence {@code s} of length L: the training part is
 * {@code s[0, L-2)}, the validation target {@code s[L-2]} and the test target {@code s[L-1]}; the history scored
 * for validation is the training part, for test the training part plus the validation target. Any other user
 * contributes the whole sequence to training and is not evaluated. Checked by {@code LeaveOneOutTest}.
 */
public final class Split {
    private final Dataset data;
    private final int[] evaluatedUsers;

    Split(Dataset data, int[] evaluatedUsers) {
        this.data = data;
        this.evaluatedUsers = evaluatedUsers;
    }

    /** The dataset this split divides. */
    public Dataset dataset() {
        return data;
    }

    /** Whether user u has validation and test targets. */
    public boolean evaluated(int u) {
        return data.sequenceLength(u) >= LeaveOneOut.MIN_LENGTH;
    }

    /** The users with targets, ascending. */
    public int[] evaluatedUsers() {
        return evaluatedUsers.clone();
    }

    /** Number of evaluated users. */
    public int numEvaluated() {
        return evaluatedUsers.length;
    }

    /** Length of user u's training part. */
    public int trainLength(int u) {
        int len = data.sequenceLength(u);
        return len >= LeaveOneOut.MIN_LENGTH ? len - 2 : len;
    }

    /** User u's training items in time order: all but the last two for an evaluated user, else all. */
    public int[] trainSequence(int u) {
        return Arrays.copyOf(data.sequence(u), trainLength(u));
    }

    /** The validation target of an evaluated user. */
    public int validTarget(int u) {
        return data.itemAt(u, checkEvaluated(u) - 2);
    }

    /** The test target of an evaluated user. */
    public int testTarget(int u) {
        return data.itemAt(u, checkEvaluated(u) - 1);
    }

    /** The history scored for validation: the training part. */
    public int[] validHistory(int u) {
        checkEvaluated(u);
        return trainSequence(u);
    }

    /** The history scored for test: the training part plus the validation target. */
    public int[] testHistory(int u) {
        int len = checkEvaluated(u);
        return Arrays.copyOf(data.sequence(u), len - 1);
    }

    private int checkEvaluated(int u) {
        int len = data.sequenceLength(u);
        if (len < LeaveOneOut.MIN_LENGTH) {
            throw new IllegalArgumentException("user " + u + " has " + len + " interactions, fewer than "
                    + LeaveOneOut.MIN_LENGTH + ", and is not evaluated");
        }
        return len;
    }
}
