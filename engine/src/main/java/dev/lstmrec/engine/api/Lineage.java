package dev.lstmrec.engine.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Which events a model contains, so that a server or a later {@code update} can tell what is new: the events it has
 * seen (count), the latest event time among them, the model it was updated from (the SHA-256 of that file; empty for
 * a model trained from scratch) and, when its events came from a server's journal, the journal position they reach.
 * Stored in the model's info as {@code lineage.*} (docs/checkpoint-format.md).
 */
public record Lineage(long events, OptionalLong lastTime, String parent, OptionalLong journalPosition) {
    static final String EVENTS = "lineage.events", LAST_TIME = "lineage.last_time", PARENT = "lineage.parent",
            JOURNAL = "lineage.journal_position";

    /** The lineage recorded in {@code info}; for a model written before lineage existed, its own history length. */
    public static Lineage of(SavedModel model) {
        Map<String, String> info = model.info();
        long events = info.containsKey(EVENTS) ? Long.parseLong(info.get(EVENTS)) : historyEvents(model);
        return new Lineage(events, optional(info.get(LAST_TIME)), info.getOrDefault(PARENT, ""), optional(info.get(JOURNAL)));
    }

    private static long historyEvents(SavedModel model) {
        long n = 0;
        for (int[] h : model.histories()) n += h.length;
        return n;
    }

    private static OptionalLong optional(String v) {
        return v == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(v));
    }

    /** These entries added to (a copy of) {@code info}. */
    public Map<String, String> into(Map<String, String> info) {
        Map<String, String> m = new LinkedHashMap<>(info);
        m.put(EVENTS, Long.toString(events));
        lastTime.ifPresentOrElse(t -> m.put(LAST_TIME, Long.toString(t)), () -> m.remove(LAST_TIME));
        if (parent.isEmpty()) m.remove(PARENT);
        else m.put(PARENT, parent);
        journalPosition.ifPresentOrElse(p -> m.put(JOURNAL, Long.toString(p)), () -> m.remove(JOURNAL));
        return m;
    }

    /**
     * The SHA-256 of a model's content (network shape, item ids, weights), hex: what a child model records as its
     * parent, the same whether the model came from a file or from memory.
     */
    public static String checksum(SavedModel model) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            d.update(model.config().toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            for (String id : model.itemIds()) {
                d.update(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(4 * 4096);
            float[] w = model.weights();
            for (int i = 0; i < w.length; i += 4096) {
                buf.clear();
                int n = Math.min(4096, w.length - i);
                for (int j = 0; j < n; j++) buf.putFloat(w[i + j]);
                d.update(buf.array(), 0, 4 * n);
            }
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is required of every JVM", e);
        }
    }

    /** The SHA-256 of a file, hex. */
    public static String checksum(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
            return HexFormat.of().formatHex(d.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is required of every JVM", e);
        }
    }
}
