package dev.lstmrec.engine.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * The journal's bytes, written in one place (docs/journal.md draws them). A segment {@code journal-<first position,
 * 20 digits>.seg} is a sequence of records, big-endian:
 * <pre>
 * int32 payload length L | int32 CRC32C of the payload | payload (L bytes):
 *     int64 position of the first event | int32 event count n | n x (int64 time | uint16 u | user (u bytes UTF-8)
 *                                                                    | uint16 i | item (i bytes UTF-8))
 * </pre>
 */
final class JournalFormat {
    static final int HEADER_BYTES = 8;          // length + CRC
    static final int PAYLOAD_FIXED_BYTES = 12;  // first position + count
    static final int EVENT_FIXED_BYTES = 12;    // time + two lengths
    static final int MAX_PAYLOAD_BYTES = PAYLOAD_FIXED_BYTES
            + EventJournal.MAX_BATCH_EVENTS * (EVENT_FIXED_BYTES + 2 * EventJournal.MAX_ID_BYTES);
    static final String LOCK_FILE = "journal.lock";
    private static final Pattern SEGMENT = Pattern.compile("journal-(\\d{20})\\.seg");

    private JournalFormat() {}

    /** A segment file and the position of its first event (from its name). */
    record Segment(Path file, long firstPosition) {}

    static Path segmentFile(Path dir, long firstPosition) {
        return dir.resolve(String.format("journal-%020d.seg", firstPosition));
    }

    /** The segments in {@code dir}, by first position; other files are not the journal's and are left alone. */
    static List<Segment> segments(Path dir) throws IOException {
        List<Segment> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = SEGMENT.matcher(f.getFileName().toString());
                if (m.matches()) found.add(new Segment(f, Long.parseLong(m.group(1))));
            }
        }
        found.sort(Comparator.comparingLong(Segment::firstPosition));
        return found;
    }

    /**
     * A batch as one record, its first position left 0 for the writer to fill in ({@link #seal}).
     *
     * @throws IllegalArgumentException naming the event and field for an empty or oversized batch or a bad id
     */
    static byte[] encode(List<JournalEvent> batch) {
        if (batch == null || batch.isEmpty()) throw new IllegalArgumentException("empty batch: nothing to append");
        if (batch.size() > EventJournal.MAX_BATCH_EVENTS) {
            throw new IllegalArgumentException("batch of " + batch.size() + " events, more than " + EventJournal.MAX_BATCH_EVENTS);
        }
        byte[][] ids = new byte[2 * batch.size()][];
        int bytes = HEADER_BYTES + PAYLOAD_FIXED_BYTES;
        for (int k = 0; k < batch.size(); k++) {
            JournalEvent e = batch.get(k);
            if (e == null) throw new IllegalArgumentException("event " + k + ": null");
            ids[2 * k] = idBytes(e.user(), k, "user");
            ids[2 * k + 1] = idBytes(e.item(), k, "item");
            bytes += EVENT_FIXED_BYTES + ids[2 * k].length + ids[2 * k + 1].length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes);
        b.putInt(bytes - HEADER_BYTES).putInt(0).putLong(0).putInt(batch.size());
        for (int k = 0; k < batch.size(); k++) {
            b.putLong(batch.get(k).time());
            b.putShort((short) ids[2 * k].length).put(ids[2 * k]);
            b.putShort((short) ids[2 * k + 1].length).put(ids[2 * k + 1]);
        }
        return b.array();
    }

    /** Writes the record's first position and then its checksum (which covers it). */
    static void seal(byte[] record, long firstPosition) {
        ByteBuffer b = ByteBuffer.wrap(record);
        b.putLong(HEADER_BYTES, firstPosition);
        b.putInt(4, crc(b, HEADER_BYTES, record.length - HEADER_BYTES));
    }

    static int eventCount(byte[] record) {
        return ByteBuffer.wrap(record).getInt(HEADER_BYTES + 8);
    }

    static int crc(ByteBuffer b, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(b.slice(offset, length));
        return (int) crc.getValue();
    }

    /** UTF-8 of an id; refuses what would not read back as the same string (unpaired surrogates) or is too long. */
    private static byte[] idBytes(String id, int k, String field) {
        if (id == null || id.isEmpty()) throw new IllegalArgumentException("event " + k + ": empty " + field + " id");
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("event " + k + ": " + field + " id has an unpaired surrogate at char " + i);
            }
        }
        byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
        if (utf8.length > EventJournal.MAX_ID_BYTES) {
            throw new IllegalArgumentException("event " + k + ": " + field + " id is " + utf8.length + " bytes in UTF-8, more than "
                    + EventJournal.MAX_ID_BYTES);
        }
        return utf8;
    }
}
