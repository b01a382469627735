package dev.lstmrec.engine.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * Reads one segment's records from a snapshot of its current length and says how it ends: at a record boundary
 * ({@link End#CLEAN}), at a damaged record with no valid record after it ({@link End#TORN}: what a crash during a write
 * leaves), or at a damaged record followed by a valid one ({@link End#CORRUPT}: a crash only ever tears the end, so
 * damage with valid data after it happened to bytes already written). Shared by recovery and {@link JournalReader}.
 */
final class SegmentScan {
    enum End { CLEAN, TORN, CORRUPT }

    /**
     * How a scan ended: {@code endPosition} is the position after the last valid record, {@code validBytes} its end
     * offset (where a damaged record starts when not clean), {@code size} the snapshot's length.
     */
    record Result(End end, long endPosition, long validBytes, long size, String problem) {
        JournalCorruptException corruption(Path file) {
            return new JournalCorruptException(file, validBytes, problem);
        }
    }

    private SegmentScan() {}

    /** Scans {@code file}, whose first event is at {@code firstPosition}, giving {@code each} the events at {@code from} on. */
    static Result scan(Path file, long firstPosition, long from, Consumer<JournalEvent> each) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                return new Result(End.CORRUPT, firstPosition, 0, size, "segment of " + size + " bytes, larger than a journal writes");
            }
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            return scan(b, firstPosition, from, each);
        }
    }

    static Result scan(ByteBuffer b, long firstPosition, long from, Consumer<JournalEvent> each) {
        int size = b.limit();
        int off = 0;
        long pos = firstPosition;
        while (off < size) {
            String problem = check(b, off, pos);
            if (problem != null) {
                End end = validRecordAfter(b, off + 1, pos) ? End.CORRUPT : End.TORN;
                return new Result(end, pos, off, size, problem);
            }
            int count = b.getInt(off + JournalFormat.HEADER_BYTES + 8);
            if (pos + count > from) deliver(b, off + JournalFormat.HEADER_BYTES + JournalFormat.PAYLOAD_FIXED_BYTES, count, pos, from, each);
            off += JournalFormat.HEADER_BYTES + b.getInt(off);
            pos += count;
        }
        return new Result(End.CLEAN, pos, off, size, null);
    }

    /** Null when a whole, intact record at position {@code pos} starts at {@code off}, else what is wrong with it. */
    private static String check(ByteBuffer b, int off, long pos) {
        int left = b.limit() - off;
        if (left < JournalFormat.HEADER_BYTES) return "incomplete record header (" + left + " bytes)";
        int length = b.getInt(off);
        if (length < JournalFormat.PAYLOAD_FIXED_BYTES || length > JournalFormat.MAX_PAYLOAD_BYTES) {
            return "record length " + length + " outside " + JournalFormat.PAYLOAD_FIXED_BYTES + ".." + JournalFormat.MAX_PAYLOAD_BYTES;
        }
        if (length > left - JournalFormat.HEADER_BYTES) {
            return "record of " + length + " bytes runs past the end of the file (" + (left - JournalFormat.HEADER_BYTES) + " left)";
        }
        if (JournalFormat.crc(b, off + JournalFormat.HEADER_BYTES, length) != b.getInt(off + 4)) return "checksum mismatch";
        long first = b.getLong(off + JournalFormat.HEADER_BYTES);
        if (first != pos) return "record starts at position " + first + ", expected " + pos;
        int count = b.getInt(off + JournalFormat.HEADER_BYTES + 8);
        if (count < 1 || count > EventJournal.MAX_BATCH_EVENTS) return "event count " + count + " outside 1.." + EventJournal.MAX_BATCH_EVENTS;
        int p = off + JournalFormat.HEADER_BYTES + JournalFormat.PAYLOAD_FIXED_BYTES, end = off + JournalFormat.HEADER_BYTES + length;
        for (int k = 0; k < count; k++) {
            for (int field = 0; field < 2; field++) {
                int at = p + (field == 0 ? 8 : 0);
                if (at + 2 > end) return "event " + k + " runs past the end of its record";
                int n = Short.toUnsignedInt(b.getShort(at));
                if (n < 1 || n > EventJournal.MAX_ID_BYTES) return "event " + k + ": id length " + n;
                p = at + 2 + n;
            }
        }
        return p == end ? null : "record has " + (end - p) + " bytes after its last event";
    }

    /**
     * Whether an intact record starts anywhere in {@code [start, limit)} with a plausible position (at or after
     * {@code pos}, and no further than one event per minimal record allows): the test that tells corruption from a
     * torn tail. Cheap tests first, so scanning a tail of garbage or zeros costs little.
     */
    private static boolean validRecordAfter(ByteBuffer b, int start, long pos) {
        int minRecord = JournalFormat.HEADER_BYTES + JournalFormat.PAYLOAD_FIXED_BYTES + JournalFormat.EVENT_FIXED_BYTES + 2;
        for (int o = start; o + minRecord <= b.limit(); o++) {
            int length = b.getInt(o);
            if (length < JournalFormat.PAYLOAD_FIXED_BYTES || length > b.limit() - o - JournalFormat.HEADER_BYTES) continue;
            long first = b.getLong(o + JournalFormat.HEADER_BYTES);
            if (first < pos || first > pos + (o - start + 1)) continue;
            if (check(b, o, first) == null) return true;
        }
        return false;
    }

    private static void deliver(ByteBuffer b, int p, int count, long pos, long from, Consumer<JournalEvent> each) {
        for (int k = 0; k < count; k++) {
            long time = b.getLong(p);
            int un = Short.toUnsignedInt(b.getShort(p + 8));
            String user = utf8(b, p + 10, un);
            int in = Short.toUnsignedInt(b.getShort(p + 10 + un));
            String item = utf8(b, p + 12 + un, in);
            p += JournalFormat.EVENT_FIXED_BYTES + un + in;
            if (pos + k >= from) each.accept(new JournalEvent(user, item, time));
        }
    }

    private static String utf8(ByteBuffer b, int offset, int length) {
        byte[] bytes = new byte[length];
        b.get(offset, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
