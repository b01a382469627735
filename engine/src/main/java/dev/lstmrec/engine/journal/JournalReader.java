package dev.lstmrec.engine.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads a journal directory without writing to it, so it is safe while an {@link EventJournal} appends: it reads each
 * segment as long as it is when reached and stops at the first incomplete record of the last one (a write in
 * progress, or a torn tail the next writer will cut), without cutting anything. Every record it reads is verified:
 * damage anywhere else is a {@link JournalCorruptException}.
 */
public final class JournalReader {
    private JournalReader() {}

    /**
     * Gives {@code each} every event at position {@code from} or later, in journal order (the first event ever appended
     * is at position 0), and returns the position after the last event read: the journal's end as far as it was
     * complete (which is below {@code from} when the journal is shorter).
     *
     * @throws JournalCorruptException when a record is damaged before the tail of the last segment, or the segments do not
     *                                 continue each other's positions or start after {@code from} (a segment missing)
     * @throws IOException             when {@code dir} is not a readable directory
     */
    public static long read(Path dir, long from, Consumer<JournalEvent> each) throws IOException {
        if (from < 0) throw new IllegalArgumentException("position must be >= 0, got " + from);
        if (!Files.isDirectory(dir)) throw new IOException("journal " + dir + ": not a directory");
        List<JournalFormat.Segment> segments = JournalFormat.segments(dir);
        int first = 0; // the last segment starting at or before `from`: the earlier ones hold nothing wanted
        for (int s = 0; s < segments.size(); s++) if (segments.get(s).firstPosition() <= from) first = s;
        long end = segments.isEmpty() ? 0 : segments.get(first).firstPosition();
        if (end > from) {
            throw new JournalCorruptException(segments.get(first).file(), 0, "the journal's first segment starts at position " + end
                    + ", after the requested " + from + " (the segments before it are missing)");
        }
        for (int s = first; s < segments.size(); s++) {
            JournalFormat.Segment seg = segments.get(s);
            if (seg.firstPosition() != end) {
                throw new JournalCorruptException(seg.file(), 0, "segment starts at position " + seg.firstPosition()
                        + " but the one before it ends at " + end + " (a segment is missing or was renamed)");
            }
            SegmentScan.Result r = SegmentScan.scan(seg.file(), seg.firstPosition(), from, each);
            boolean last = s == segments.size() - 1;
            if (r.end() == SegmentScan.End.CORRUPT || (r.end() == SegmentScan.End.TORN && !last)) throw r.corruption(seg.file());
            end = r.endPosition();
        }
        return end;
    }
}
