package dev.lstmrec.engine.io;

// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the target,
// fsync the directory. Readers see either the old file or the complete new one, never a torn write.
// Checked by AtomicFilesTest (replacement, failure keeps the old target and leaves no temp file).

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.Objects;

/** Atomic whole-file writes. */
public final class AtomicFiles {
    private static final int BUFFER_BYTES = 1 << 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AtomicFiles() {}

    /**
     * Replaces {@code target} with what {@code body} writes, atomically where the file system allows.
     *
     * <p>The body writes to a buffered stream over a temp file {@code .<name>.tmp-<random>} in the target's
     * directory (created if missing). After the body returns the data is flushed and forced to disk, the temp
     * file is renamed over the target ({@code ATOMIC_MOVE}; a plain replacing move only where the file system
     * cannot rename atomically) and the directory is forced where the platform supports it. If anything fails,
     * including the body, the temp file is deleted, the previous target is left untouched and the exception
     * is rethrown. The body need not close the stream; closing it only flushes.
     */
    public static void write(Path target, IOConsumer<OutputStream> body) throws IOException {
        Objects.requireNonNull(body, "body");
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir == null || abs.getFileName() == null) {
            throw new IOException("cannot write " + target + ": not a file path");
        }
        Files.createDirectories(dir);
        Path tmp = null;
        try {
            FileChannel channel = null;
            while (channel == null) {
                tmp = dir.resolve("." + abs.getFileName() + ".tmp-" + Long.toHexString(RANDOM.nextLong()));
                try {
                    channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException collision) {
                    tmp = null; // another writer drew the same name; draw again
                }
            }
            try (FileChannel ch = channel) {
                OutputStream out = new BufferedOutputStream(new FlushOnClose(Channels.newOutputStream(ch)),
                        BUFFER_BYTES);
                body.accept(out);
                out.flush();
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            forceDirectory(dir);
        } catch (Throwable t) {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException cleanup) {
                    t.addSuppressed(cleanup);
                }
            }
            throw t;
        }
    }

    /** Atomically replaces {@code target} with {@code text} encoded as UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /** Atomically replaces {@code target} with {@code bytes}. */
    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        Objects.requireNonNull(bytes, "bytes");
        write(target, out -> out.write(bytes));
    }

    /**
     * Makes a rename or a new file's directory entry durable; some platforms (Windows) cannot open a directory, which
     * is not an error.
     */
    public static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // The file itself is already durable; only the directory entry may be lost on a crash.
        }
    }

    /** Lets the body close its stream without closing the channel we still have to force. */
    private static final class FlushOnClose extends FilterOutputStream {
        FlushOnClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len); // FilterOutputStream would write byte by byte
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
