package dev.lstmrec.engine.journal;

import dev.lstmrec.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable, append-only event journal of a directory (docs/journal.md). Appends are acknowledged only after the
 * fsync that covers them; one writer thread takes every append waiting at that moment, writes them and forces the file
 * once for the whole group (group commit), so concurrent appends share fsyncs. On open, a torn or corrupt tail of the
 * last segment (what a crash during a write leaves) is cut and logged; damage before it is a
 * {@link JournalCorruptException}. Earlier segments are verified by whoever reads them ({@link JournalReader}).
 * Thread-safe; one writer per directory (a lock on {@code journal.lock}).
 */
public final class EventJournal implements AutoCloseable {
    /** The longest user or item id, in UTF-8 bytes: room for any real id, and a bound on a record's size. */
    public static final int MAX_ID_BYTES = 256;
    /** The most events in one batch (one record, at most about 5 MiB). */
    public static final int MAX_BATCH_EVENTS = 10_000;
    private static final System.Logger LOG = System.getLogger(EventJournal.class.getName());
    private static final int WRITE_BUFFER_BYTES = 1 << 20;

    private final Path dir;
    private final JournalOptions options;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final long recoveredBytesCut;
    private final Thread writer;
    private final AtomicLong syncs = new AtomicLong();
    private volatile long position;

    // The appends waiting for the writer, guarded by "this"; the writer takes them all at once.
    private List<Pending> waiting = new ArrayList<>();
    private boolean closed;
    private IOException failure; // set when a write or fsync failed: nothing is appended after that

    // Owned by the writer thread.
    private FileChannel segment;
    private long segmentBytes;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(WRITE_BUFFER_BYTES);

    private record Pending(byte[] record, int count, CompletableFuture<Long> done) {}

    private EventJournal(Path dir, JournalOptions options, FileChannel lockChannel, FileLock lock) throws IOException {
        this.dir = dir;
        this.options = options;
        this.lockChannel = lockChannel;
        this.lock = lock;
        try {
            this.recoveredBytesCut = recover();
        } catch (IOException | RuntimeException e) {
            if (segment != null) segment.close();
            throw e;
        }
        writer = new Thread(this::writeLoop, "journal-writer " + dir);
        writer.setDaemon(true); // unacknowledged appends may be lost at exit; acknowledged ones are on disk
        writer.start();
    }

    /** Opens the last segment for appending after cutting a torn tail; returns the bytes cut. */
    private long recover() throws IOException {
        List<JournalFormat.Segment> segments = JournalFormat.segments(dir);
        long cut = 0;
        if (segments.isEmpty()) {
            openSegment(0);
        } else {
            JournalFormat.Segment last = segments.get(segments.size() - 1);
            SegmentScan.Result r = SegmentScan.scan(last.file(), last.firstPosition(), Long.MAX_VALUE, e -> {});
            if (r.end() == SegmentScan.End.CORRUPT) throw r.corruption(last.file());
            segment = FileChannel.open(last.file(), StandardOpenOption.WRITE);
            if (r.end() == SegmentScan.End.TORN) {
                cut = r.size() - r.validBytes();
                segment.truncate(r.validBytes());
                segment.force(true);
                LOG.log(System.Logger.Level.WARNING, "journal " + last.file() + ": cut a torn tail of " + cut + " bytes at offset "
                        + r.validBytes() + " (" + r.problem() + "); the journal ends at position " + r.endPosition());
            }
            segment.position(r.validBytes());
            segmentBytes = r.validBytes();
            position = r.endPosition();
        }
        return cut;
    }

    /** Opens {@code dir} (created if needed) for appending, with the default options. */
    public static EventJournal open(Path dir) throws IOException {
        return open(dir, JournalOptions.defaults());
    }

    /**
     * Opens {@code dir} (created if needed) for appending: recovers the last segment (a torn tail cut, logged with its
     * byte count) and takes the directory's writer lock.
     *
     * @throws JournalCorruptException when the last segment is damaged before its tail
     * @throws IOException             when another writer (in this or another process) has the directory open
     */
    public static EventJournal open(Path dir, JournalOptions options) throws IOException {
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(JournalFormat.LOCK_FILE);
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IOException("journal " + dir + " is already open for writing (" + lockFile + " is locked by another"
                    + " writer in this or another process); one writer per journal directory");
        }
        try {
            return new EventJournal(dir, options, ch, lock);
        } catch (IOException | RuntimeException e) {
            ch.close(); // releases the lock
            throw e;
        }
    }

    /**
     * Appends {@code batch} as one record, all or nothing. The future completes, on the journal's writer thread, after
     * the fsync that covers the batch, with the position after its last event; it fails with the IOException when the
     * write or fsync failed (the journal then refuses further appends: reopen it to recover).
     *
     * @throws IllegalArgumentException naming the event and field for an empty batch, one over {@link #MAX_BATCH_EVENTS},
     *                                  a null event, an empty id, an id over {@link #MAX_ID_BYTES} or not valid Unicode
     * @throws IllegalStateException    after {@link #close}
     */
    public CompletableFuture<Long> append(List<JournalEvent> batch) {
        byte[] record = JournalFormat.encode(batch);
        Pending p = new Pending(record, batch.size(), new CompletableFuture<>());
        synchronized (this) {
            if (closed) throw new IllegalStateException("journal " + dir + " is closed");
            if (failure != null) return CompletableFuture.failedFuture(new IOException("journal " + dir + " failed earlier", failure));
            waiting.add(p);
            if (waiting.size() == 1) notifyAll();
        }
        return p.done();
    }

    /** Events durably written so far: the position after the last acknowledged batch. */
    public long position() {
        return position;
    }

    /** Bytes cut from the last segment's tail when this journal was opened (0 when it ended cleanly). */
    public long recoveredBytesCut() {
        return recoveredBytesCut;
    }

    /** The fsyncs done so far: with concurrent appends, fewer than the appends (group commit). */
    public long syncs() {
        return syncs.get();
    }

    public Path directory() {
        return dir;
    }

    /** Writes and fsyncs every append made before it, then stops the writer and releases the directory. */
    @Override
    public void close() throws IOException {
        synchronized (this) {
            if (closed) return;
            closed = true;
            notifyAll();
        }
        boolean interrupted = false;
        while (writer.isAlive()) {
            try {
                writer.join();
            } catch (InterruptedException e) {
                interrupted = true; // the writer must finish: its channel is closed below
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        try {
            if (segment != null) segment.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
        synchronized (this) {
            if (failure != null) throw new IOException("journal " + dir + ": a write failed", failure);
        }
    }

    private void writeLoop() {
        while (true) {
            List<Pending> group;
            synchronized (this) {
                while (waiting.isEmpty() && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // only close() stops the writer, so that nothing waiting is dropped
                    }
                }
                if (waiting.isEmpty()) return;
                group = waiting;
                waiting = new ArrayList<>();
            }
            long start = position;
            try {
                position = writeGroup(group);
            } catch (IOException | RuntimeException e) {
                IOException io = e instanceof IOException x ? x : new IOException(e);
                List<Pending> rest;
                synchronized (this) {
                    failure = io;
                    rest = waiting;
                    waiting = new ArrayList<>();
                }
                LOG.log(System.Logger.Level.ERROR, "journal " + dir + ": write failed; refusing further appends", e);
                for (Pending p : group) p.done().completeExceptionally(io);
                for (Pending p : rest) p.done().completeExceptionally(io);
                return;
            }
            for (Pending p : group) {
                start += p.count();
                p.done().complete(start);
            }
        }
    }

    /** Writes the group's records in order, rotating segments by size, with one fsync per segment touched. */
    private long writeGroup(List<Pending> group) throws IOException {
        long pos = position;
        buffer.clear();
        for (Pending p : group) {
            byte[] record = p.record();
            if (segmentBytes > 0 && segmentBytes + record.length > options.segmentBytes()) {
                flush();
                segment.force(false);
                syncs.incrementAndGet();
                segment.close();
                openSegment(pos);
            }
            JournalFormat.seal(record, pos);
            for (int off = 0; off < record.length; ) {
                if (!buffer.hasRemaining()) flush();
                int n = Math.min(buffer.remaining(), record.length - off);
                buffer.put(record, off, n);
                off += n;
            }
            segmentBytes += record.length;
            pos += p.count();
        }
        flush();
        segment.force(false);
        syncs.incrementAndGet();
        return pos;
    }

    private void flush() throws IOException {
        buffer.flip();
        while (buffer.hasRemaining()) segment.write(buffer);
        buffer.clear();
    }

    /** Starts a new, empty segment whose first event is at {@code firstPosition}, its directory entry durable first. */
    private void openSegment(long firstPosition) throws IOException {
        segment = FileChannel.open(JournalFormat.segmentFile(dir, firstPosition), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        AtomicFiles.forceDirectory(dir);
        segmentBytes = 0;
    }
}
