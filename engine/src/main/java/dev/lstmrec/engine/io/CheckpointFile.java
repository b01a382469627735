package dev.lstmrec.engine.io;

// The lstmrec checkpoint container (docs/checkpoint-format.md): header, META / STRS / TENS sections, and a
// trailer with the total length and a CRC32C. Reading verifies the header, the length and the checksum before
// it allocates anything sized by the file, so a damaged file is an error, never a wrong model or an OOM.
// Checked by CheckpointFileTest: exact round trips, every truncation point, every flipped byte.

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/** Writes and reads {@link Checkpoint}s in the lstmrec checkpoint format, version {@value #VERSION}. */
public final class CheckpointFile {
    /** {@code "LSTMREC"} then 0x1A (the DOS end-of-file byte, which stops a text dump of the binary). */
    static final byte[] MAGIC = {'L', 'S', 'T', 'M', 'R', 'E', 'C', 0x1A};
    /** The format version this code writes, and the newest it reads. */
    public static final int VERSION = 1;
    static final int HEADER_BYTES = 24;
    static final int TRAILER_BYTES = 12;
    static final int SECTION_HEADER_BYTES = 12;
    static final int TAG_META = tag("META");
    static final int TAG_STRS = tag("STRS");
    static final int TAG_TENS = tag("TENS");
    static final int DTYPE_F32 = 1;
    static final int DTYPE_I32 = 2;
    private static final int CHUNK = 1 << 16;

    private CheckpointFile() {}

    /** Writes {@code checkpoint} to {@code file} atomically (see {@link AtomicFiles#write}). */
    public static void write(Path file, Checkpoint checkpoint) throws IOException {
        Encoded enc = new Encoded(checkpoint);
        AtomicFiles.write(file, out -> enc.writeTo(out));
    }

    /**
     * Reads a checkpoint. Throws {@link CheckpointFormatException} naming the file when it is not a checkpoint,
     * was written by a newer format version, is truncated, fails its checksum, or is structurally invalid.
     */
    public static Checkpoint read(Path file) throws IOException {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            long total = readHeader(ch, size, name);
            verifyChecksum(ch, total, name);
            In in = new In(ch, name, HEADER_BYTES, total - TRAILER_BYTES);
            Checkpoint.Builder b = Checkpoint.builder().source(name);
            readSections(in, b);
            return b.build();
        }
    }

    // ---------------------------------------------------------------- reading

    /** Checks magic, version, flags and length against the file size; returns the total length. */
    private static long readHeader(FileChannel ch, long size, String name) throws IOException {
        ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        h.limit((int) Math.min(size, HEADER_BYTES));
        readFully(ch, h, 0);
        h.flip();
        int magicSeen = Math.min(h.limit(), MAGIC.length);
        for (int i = 0; i < magicSeen; i++) {
            if (h.get(i) != MAGIC[i]) throw new CheckpointFormatException(name, "not an lstmrec checkpoint (bad magic)");
        }
        if (size < 12) throw shortHeader(name, size);
        long version = Integer.toUnsignedLong(h.getInt(8));
        if (version > VERSION) {
            throw new CheckpointFormatException(name, "checkpoint format version " + version
                    + " is newer than this lstmrec supports (" + VERSION + "); upgrade lstmrec");
        }
        if (version < 1) throw new CheckpointFormatException(name, "invalid checkpoint format version " + version);
        if (size < HEADER_BYTES) throw shortHeader(name, size);
        int flags = h.getInt(12);
        if (flags != 0) {
            throw new CheckpointFormatException(name, "unknown flags 0x" + Integer.toHexString(flags)
                    + " for format version " + version + " (file corrupted, or written by a newer lstmrec)");
        }
        long total = h.getLong(16);
        if (total < HEADER_BYTES + TRAILER_BYTES) {
            throw new CheckpointFormatException(name, "corrupted header: total length " + total + " is impossible");
        }
        if (size < total) {
            throw new CheckpointFormatException(name, "truncated: expected " + total + " bytes, file has " + size);
        }
        if (size > total) {
            throw new CheckpointFormatException(name, "unexpected trailing data: expected " + total
                    + " bytes, file has " + size);
        }
        return total;
    }

    private static CheckpointFormatException shortHeader(String name, long size) {
        return new CheckpointFormatException(name, "truncated: file has " + size + " bytes, shorter than the "
                + HEADER_BYTES + "-byte header");
    }

    /** CRC32C of bytes [0, total - 4) must equal the last four bytes. */
    private static void verifyChecksum(FileChannel ch, long total, String name) throws IOException {
        CRC32C crc = new CRC32C();
        long covered = total - 4;
        ByteBuffer buf = ByteBuffer.allocate((int) Math.min(1 << 20, covered));
        long pos = 0;
        while (pos < covered) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), covered - pos));
            readFully(ch, buf, pos);
            buf.flip();
            pos += buf.remaining();
            crc.update(buf);
        }
        ByteBuffer tail = ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, tail, total - TRAILER_BYTES);
        if (tail.getInt(8) != (int) crc.getValue()) {
            throw new CheckpointFormatException(name, "checksum mismatch: file is corrupted");
        }
        if (tail.getLong(0) != total) {
            throw new CheckpointFormatException(name, "corrupted trailer: total length " + tail.getLong(0)
                    + " disagrees with the header's " + total);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer dst, long position) throws IOException {
        while (dst.hasRemaining()) {
            int n = ch.read(dst, position);
            if (n < 0) throw new IOException("file shrank while being read");
            position += n;
        }
    }

    private static void readSections(In in, Checkpoint.Builder b) throws IOException {
        boolean meta = false, strs = false, tens = false;
        while (in.remaining() > 0) {
            int tag = in.i32();
            long length = in.i64();
            if (length < 0 || length > in.remaining()) {
                throw in.error("section '" + tagName(tag) + "' claims " + length + " bytes, only "
                        + in.remaining() + " remain");
            }
            long end = in.offset() + length;
            long outer = in.limit();
            in.limit(end);
            if (tag == TAG_META) {
                meta = once(in, meta, tag);
                readMeta(in, b);
            } else if (tag == TAG_STRS) {
                strs = once(in, strs, tag);
                readStrings(in, b);
            } else if (tag == TAG_TENS) {
                tens = once(in, tens, tag);
                readTensors(in, b);
            } else {
                in.skip(length); // a section this version does not know: optional data for newer readers
            }
            if (in.remaining() != 0) {
                throw in.error("section '" + tagName(tag) + "' has " + in.remaining() + " unread bytes");
            }
            in.limit(outer);
        }
    }

    private static boolean once(In in, boolean seen, int tag) throws CheckpointFormatException {
        if (seen) throw in.error("duplicate section '" + tagName(tag) + "'");
        return true;
    }

    private static void readMeta(In in, Checkpoint.Builder b) throws IOException {
        int n = in.count("metadata entries", 8);
        for (int i = 0; i < n; i++) {
            String key = in.string();
            String value = in.string();
            try {
                b.meta(key, value);
            } catch (IllegalArgumentException e) {
                throw in.error(e.getMessage());
            }
        }
    }

    private static void readStrings(In in, Checkpoint.Builder b) throws IOException {
        int lists = in.count("string lists", 8);
        for (int i = 0; i < lists; i++) {
            String name = in.string();
            int n = in.count("strings in list '" + name + "'", 4);
            List<String> values = new ArrayList<>(n);
            for (int j = 0; j < n; j++) values.add(in.string());
            try {
                b.strings(name, values);
            } catch (IllegalArgumentException e) {
                throw in.error(e.getMessage());
            }
        }
    }

    private static void readTensors(In in, Checkpoint.Builder b) throws IOException {
        int n = in.count("tensors", 24);
        for (int i = 0; i < n; i++) {
            String name = in.string();
            int dtype = in.i32();
            if (dtype != DTYPE_F32 && dtype != DTYPE_I32) throw in.error("tensor '" + name + "' has unknown dtype " + dtype);
            int rank = in.i32();
            if (rank < 1 || rank > Checkpoint.MAX_RANK) throw in.error("tensor '" + name + "' has invalid rank " + rank);
            int[] dims = new int[rank];
            long elements = 1;
            for (int d = 0; d < rank; d++) {
                dims[d] = in.i32();
                if (dims[d] < 0) throw in.error("tensor '" + name + "' has a negative extent");
                // saturate just past int: the product of two values below 2^31 cannot overflow a long
                elements = Math.min(elements * dims[d], Integer.MAX_VALUE + 1L);
            }
            long bytes = in.i64();
            if (elements > Integer.MAX_VALUE || bytes != elements * 4 || bytes > in.remaining()) {
                throw in.error("tensor '" + name + "' has an inconsistent size (" + bytes + " bytes for shape "
                        + Arrays.toString(dims) + ", " + in.remaining() + " bytes remain)");
            }
            try {
                if (dtype == DTYPE_F32) {
                    float[] data = new float[(int) elements];
                    in.floats(data);
                    b.floats(name, data, dims);
                } else {
                    int[] data = new int[(int) elements];
                    in.ints(data);
                    b.ints(name, data, dims);
                }
            } catch (IllegalArgumentException e) {
                throw in.error(e.getMessage());
            }
        }
    }

    static int tag(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return (b[0] & 0xFF) | (b[1] & 0xFF) << 8 | (b[2] & 0xFF) << 16 | (b[3] & 0xFF) << 24;
    }

    private static String tagName(int tag) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 4; i++) {
            int c = (tag >>> (8 * i)) & 0xFF;
            sb.append(c >= 0x20 && c < 0x7F ? (char) c : '?');
        }
        return sb.toString();
    }

    /**
     * Bounded little-endian reads from the channel through one reusable buffer; every length is checked
     * against {@link #remaining()} before anything is allocated.
     */
    private static final class In {
        private final FileChannel ch;
        private final String name;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private long filePos; // file offset of the byte after the buffer's content
        private final long end;
        private long limit;

        In(FileChannel ch, String name, long start, long end) {
            this.ch = ch;
            this.name = name;
            this.filePos = start;
            this.end = end;
            this.limit = end;
            buf.limit(0);
        }

        long offset() {
            return filePos - buf.remaining();
        }

        long remaining() {
            return limit - offset();
        }

        long limit() {
            return limit;
        }

        void limit(long newLimit) {
            limit = newLimit;
        }

        CheckpointFormatException error(String problem) {
            return new CheckpointFormatException(name, "corrupted at byte " + offset() + ": " + problem);
        }

        /** Makes {@code k <= CHUNK} bytes available in the buffer, never reading past the section limit. */
        private void need(int k) throws IOException {
            if (k > remaining()) throw error("needs " + k + " more bytes, only " + remaining() + " remain");
            if (buf.remaining() >= k) return;
            buf.compact();
            buf.limit((int) Math.min(buf.capacity(), buf.position() + (end - filePos)));
            while (buf.position() < k) {
                int n = ch.read(buf, filePos);
                if (n < 0) throw new IOException(name + ": file shrank while being read");
                filePos += n;
            }
            buf.flip();
        }

        int i32() throws IOException {
            need(4);
            return buf.getInt();
        }

        long i64() throws IOException {
            need(8);
            return buf.getLong();
        }

        /** A u32 count of items each at least {@code minBytes} long; rejects counts the data cannot hold. */
        int count(String what, int minBytes) throws IOException {
            long n = Integer.toUnsignedLong(i32());
            if (n * minBytes > remaining()) throw error(n + " " + what + " cannot fit in " + remaining() + " bytes");
            return (int) n;
        }

        String string() throws IOException {
            long len = Integer.toUnsignedLong(i32());
            if (len > remaining()) throw error("string of " + len + " bytes, only " + remaining() + " remain");
            byte[] bytes = new byte[(int) len];
            int off = 0;
            while (off < bytes.length) {
                int k = Math.min(CHUNK, bytes.length - off);
                need(k);
                buf.get(bytes, off, k);
                off += k;
            }
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw error("string is not valid UTF-8");
            }
        }

        void floats(float[] dst) throws IOException {
            int off = 0;
            while (off < dst.length) {
                int k = Math.min(CHUNK / 4, dst.length - off);
                need(k * 4);
                buf.asFloatBuffer().get(dst, off, k);
                buf.position(buf.position() + k * 4);
                off += k;
            }
        }

        void ints(int[] dst) throws IOException {
            int off = 0;
            while (off < dst.length) {
                int k = Math.min(CHUNK / 4, dst.length - off);
                need(k * 4);
                buf.asIntBuffer().get(dst, off, k);
                buf.position(buf.position() + k * 4);
                off += k;
            }
        }

        void skip(long n) throws IOException {
            if (n > remaining()) throw error("cannot skip " + n + " bytes, only " + remaining() + " remain");
            long inBuf = Math.min(n, buf.remaining());
            buf.position(buf.position() + (int) inBuf);
            long rest = n - inBuf;
            filePos += rest;
        }
    }

    // ---------------------------------------------------------------- writing

    /** The checkpoint with every string encoded once, so the total length is known before the first byte. */
    private static final class Encoded {
        private final Checkpoint cp;
        private final List<byte[]> meta = new ArrayList<>();
        private final List<byte[]> listNames = new ArrayList<>();
        private final List<List<byte[]>> lists = new ArrayList<>();
        private final List<byte[]> tensorNames = new ArrayList<>();
        private final long metaBytes, strsBytes, tensBytes, total;

        Encoded(Checkpoint cp) {
            this.cp = cp;
            long m = 4;
            for (Map.Entry<String, String> e : cp.meta().entrySet()) {
                byte[] k = utf8(e.getKey()), v = utf8(e.getValue());
                meta.add(k);
                meta.add(v);
                m += 8L + k.length + v.length;
            }
            long s = 4;
            for (Map.Entry<String, List<String>> e : cp.strings().entrySet()) {
                byte[] n = utf8(e.getKey());
                listNames.add(n);
                s += 8L + n.length;
                List<byte[]> enc = new ArrayList<>(e.getValue().size());
                for (String str : e.getValue()) {
                    byte[] b = utf8(str);
                    enc.add(b);
                    s += 4L + b.length;
                }
                lists.add(enc);
            }
            long t = 4;
            for (Map.Entry<String, int[]> e : cp.shapes().entrySet()) {
                byte[] n = utf8(e.getKey());
                tensorNames.add(n);
                t += 4L + n.length + 8 + 4L * e.getValue().length + 8 + 4L * elements(e.getKey());
            }
            metaBytes = m;
            strsBytes = s;
            tensBytes = t;
            total = HEADER_BYTES + 3L * SECTION_HEADER_BYTES + m + s + t + TRAILER_BYTES;
        }

        private int elements(String tensor) {
            float[] f = cp.floats().get(tensor);
            return f != null ? f.length : cp.ints().get(tensor).length;
        }

        void writeTo(OutputStream os) throws IOException {
            Out out = new Out(os);
            out.bytes(MAGIC);
            out.i32(VERSION);
            out.i32(0);
            out.i64(total);

            out.i32(TAG_META);
            out.i64(metaBytes);
            out.i32(cp.meta().size());
            for (byte[] b : meta) out.string(b);

            out.i32(TAG_STRS);
            out.i64(strsBytes);
            out.i32(lists.size());
            for (int i = 0; i < lists.size(); i++) {
                out.string(listNames.get(i));
                out.i32(lists.get(i).size());
                for (byte[] b : lists.get(i)) out.string(b);
            }

            out.i32(TAG_TENS);
            out.i64(tensBytes);
            out.i32(tensorNames.size());
            int i = 0;
            for (Map.Entry<String, int[]> e : cp.shapes().entrySet()) {
                out.string(tensorNames.get(i++));
                float[] f = cp.floats().get(e.getKey());
                out.i32(f != null ? DTYPE_F32 : DTYPE_I32);
                out.i32(e.getValue().length);
                for (int d : e.getValue()) out.i32(d);
                if (f != null) {
                    out.i64(4L * f.length);
                    out.floats(f);
                } else {
                    int[] v = cp.ints().get(e.getKey());
                    out.i64(4L * v.length);
                    out.ints(v);
                }
            }
            out.i64(total);
            out.finish(total);
        }

        private static byte[] utf8(String s) {
            try {
                ByteBuffer b = StandardCharsets.UTF_8.newEncoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .encode(CharBuffer.wrap(s));
                byte[] out = new byte[b.remaining()];
                b.get(out);
                return out;
            } catch (CharacterCodingException e) {
                throw new IllegalArgumentException("string cannot be encoded as UTF-8 (unpaired surrogate?): "
                        + s.length() + " chars", e);
            }
        }
    }

    /** Little-endian writes through one reusable buffer that also feeds the CRC32C. */
    private static final class Out {
        private final OutputStream os;
        private final ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        private final CRC32C crc = new CRC32C();
        private long written;

        Out(OutputStream os) {
            this.os = os;
        }

        private void room(int k) throws IOException {
            if (buf.remaining() < k) drain();
        }

        private void drain() throws IOException {
            crc.update(buf.array(), 0, buf.position());
            os.write(buf.array(), 0, buf.position());
            written += buf.position();
            buf.clear();
        }

        void i32(int v) throws IOException {
            room(4);
            buf.putInt(v);
        }

        void i64(long v) throws IOException {
            room(8);
            buf.putLong(v);
        }

        void bytes(byte[] b) throws IOException {
            int off = 0;
            while (off < b.length) {
                if (!buf.hasRemaining()) drain();
                int k = Math.min(buf.remaining(), b.length - off);
                buf.put(b, off, k);
                off += k;
            }
        }

        void string(byte[] utf8) throws IOException {
            i32(utf8.length);
            bytes(utf8);
        }

        void floats(float[] v) throws IOException {
            int off = 0;
            while (off < v.length) {
                room(4);
                int k = Math.min(buf.remaining() / 4, v.length - off);
                buf.asFloatBuffer().put(v, off, k);
                buf.position(buf.position() + 4 * k);
                off += k;
            }
        }

        void ints(int[] v) throws IOException {
            int off = 0;
            while (off < v.length) {
                room(4);
                int k = Math.min(buf.remaining() / 4, v.length - off);
                buf.asIntBuffer().put(v, off, k);
                buf.position(buf.position() + 4 * k);
                off += k;
            }
        }

        /** Appends the CRC of everything written so far (not fed to itself) and checks the length. */
        void finish(long expectedTotal) throws IOException {
            drain();
            buf.putInt((int) crc.getValue());
            os.write(buf.array(), 0, 4);
            written += 4;
            buf.clear();
            if (written != expectedTotal) {
                throw new IllegalStateException("checkpoint writer bug: wrote " + written + " bytes, header says "
                        + expectedTotal);
            }
        }
    }
}
