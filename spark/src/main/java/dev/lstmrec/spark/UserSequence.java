package dev.lstmrec.spark;

import java.io.Serializable;

/**
 * One user's whole interaction sequence after data preparation: the user's order key (ascending order = the order in
 * which the single-machine reader numbers users: the input position of the user's first row, or the user index of a
 * loaded model), external id, and items 1..N in time order. The unit that training, evaluation and batch
 * recommendation partitions carry.
 */
public record UserSequence(long user, String userId, int[] items) implements Serializable {
    /** The leave-one-out training part: all but the last two items when the user is evaluated (3 or more), else all. */
    public int[] trainPart() {
        return evaluated() ? java.util.Arrays.copyOf(items, items.length - 2) : items;
    }

    /** Whether the user has validation and test targets (engine LeaveOneOut.MIN_LENGTH interactions). */
    public boolean evaluated() {
        return items.length >= dev.lstmrec.engine.data.LeaveOneOut.MIN_LENGTH;
    }
}
