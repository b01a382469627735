package dev.lstmrec.engine.data;

/**
 * The standard next-item protocol (as in SASRec, BERT4Rec): per user, the last item is the test target and the one
 * before it the validation target. Checked by {@code LeaveOneOutTest}.
 */
public final class LeaveOneOut {
    /** A user needs at least this many interactions (one to train on, one to validate, one to test) to be evaluated. */
    public static final int MIN_LENGTH = 3;

    private LeaveOneOut() {}

    /** Splits every user of {@code data}; the dataset itself is shared, not copied. */
    public static Split split(Dataset data) {
        IntList users = new IntList(data.numUsers());
        for (int u = 0; u < data.numUsers(); u++) {
            if (data.sequenceLength(u) >= MIN_LENGTH) users.add(u);
        }
        return new Split(data, users.toArray());
    }
}
