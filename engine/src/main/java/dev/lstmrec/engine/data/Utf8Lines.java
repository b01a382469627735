package dev.lstmrec.engine.data;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The lines of a UTF-8 byte stream, decoded strictly. A leading byte-order mark is skipped (else it would become part
 * of the first id); a line ends at {@code \n}, {@code \r\n} or a lone {@code \r}, as with BufferedReader; a malformed or
 * truncated UTF-8 sequence is a {@link DataFormatException} naming the file and the line it is on (a replacement
 * character would silently merge distinct ids). Lines are split on bytes before decoding, so the line number of an
 * error is exact. Checked by {@code DataReaderErrorsTest} and {@code DataReaderFuzzTest}.
 */
final class Utf8Lines implements Closeable {
    /** The UTF-8 encoding of U+FEFF, the byte-order mark some editors write at the start of a file. */
    static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final InputStream in;
    private final Path file;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private CharBuffer chars = CharBuffer.allocate(256);
    private byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    private boolean eof;
    private boolean started;
    private boolean skipLf; // the previous line ended with \r: a \n right after it belongs to that line end
    private long lineNo;

    Utf8Lines(InputStream in, Path file) {
        this.in = in;
        this.file = file;
    }

    /** Whether {@code b[off, off + len)} starts with the UTF-8 byte-order mark. */
    static boolean startsWithBom(byte[] b, int off, int len) {
        return len >= 3 && b[off] == BOM[0] && b[off + 1] == BOM[1] && b[off + 2] == BOM[2];
    }

    /** The 1-based number of the line last returned by {@link #next()}. */
    long lineNumber() {
        return lineNo;
    }

    /** The next line without its terminator, or null at the end of the stream. */
    String next() throws IOException {
        if (!started) {
            started = true;
            while (limit - pos < BOM.length && fill()) {
                // read until the first three bytes are there (or the stream ends)
            }
            if (startsWithBom(buf, pos, limit - pos)) pos += BOM.length;
        }
        if (skipLf) {
            if (pos == limit) fill();
            if (pos < limit && buf[pos] == '\n') pos++;
            skipLf = false;
        }
        int scan = pos;
        boolean ascii = true;
        while (true) {
            for (; scan < limit; scan++) {
                byte b = buf[scan];
                if (b == '\n' || b == '\r') {
                    String line = line(pos, scan - pos, ascii);
                    pos = scan + 1;
                    skipLf = b == '\r';
                    return line;
                }
                ascii &= b >= 0;
            }
            int done = scan - pos;
            if (!fill()) {
                if (pos == limit) return null;
                String line = line(pos, limit - pos, ascii);
                pos = limit;
                return line;
            }
            scan = pos + done;
        }
    }

    /** Reads more bytes after the unread ones, compacting or growing the buffer; false at the end of the stream. */
    private boolean fill() throws IOException {
        if (eof) return false;
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) buf = Arrays.copyOf(buf, buf.length * 2); // a line longer than the buffer
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
            return false;
        }
        limit += n;
        return true;
    }

    private String line(int from, int len, boolean ascii) throws DataFormatException {
        lineNo++;
        // ASCII (nearly every line of an interaction log) is its own Latin-1 decoding: a plain copy.
        if (ascii) return new String(buf, from, len, StandardCharsets.ISO_8859_1);
        ByteBuffer bytes = ByteBuffer.wrap(buf, from, len);
        if (chars.capacity() < len) chars = CharBuffer.allocate(len); // UTF-8 never has more chars than bytes
        chars.clear();
        decoder.reset();
        CoderResult r = decoder.decode(bytes, chars, true);
        if (!r.isError()) r = decoder.flush(chars);
        if (r.isError()) {
            int at = bytes.position();
            StringBuilder seq = new StringBuilder();
            for (int i = 0; i < r.length(); i++) seq.append(i == 0 ? "" : " ").append(String.format("0x%02X", buf[at + i] & 0xFF));
            throw new DataFormatException(file, lineNo, "not valid UTF-8: byte" + (r.length() == 1 ? " " : "s ") + seq
                    + " at byte " + (at - from + 1) + " of the line; the file must be UTF-8 text (convert it, e.g. with iconv)");
        }
        chars.flip();
        return chars.toString();
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
