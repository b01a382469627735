package dev.lstmrec.engine.journal;

/**
 * How an {@link EventJournal} writes: {@code segmentBytes} is the size after which it starts a new segment file (a
 * record never spans two segments, so a segment exceeds it only when a single record is larger).
 */
public record JournalOptions(long segmentBytes) {
    /** 64 MiB: few files for a long-lived journal, and a recovery scan of one segment that takes well under a second. */
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    /** Segments are read through one memory mapping, which Java limits to 2 GiB; 1 GiB leaves room for a last record. */
    public static final long MAX_SEGMENT_BYTES = 1L << 30;

    public JournalOptions {
        if (segmentBytes < 1 || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segment size must be 1.." + MAX_SEGMENT_BYTES + " bytes, got " + segmentBytes);
        }
    }

    public static JournalOptions defaults() {
        return new JournalOptions(DEFAULT_SEGMENT_BYTES);
    }

    public JournalOptions withSegmentBytes(long bytes) {
        return new JournalOptions(bytes);
    }
}
