package dev.lstmrec.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal: what is acknowledged reads back exactly, in order, at its positions; a torn tail is cut to the last
 * whole record; damage before the tail is an error naming segment and offset; segments rotate; concurrent appends share
 * fsyncs; one writer per directory; a reader beside a writer sees a consistent prefix.
 */
class EventJournalTest {
    @TempDir
    Path dir;

    private static List<JournalEvent> batch(int first, int n) {
        List<JournalEvent> b = new ArrayList<>();
        for (int i = first; i < first + n; i++) b.add(new JournalEvent("u" + (i % 7), "i" + i, 1_700_000_000L + i));
        return b;
    }

    private static List<JournalEvent> readAll(Path dir, long from) throws IOException {
        List<JournalEvent> out = new ArrayList<>();
        JournalReader.read(dir, from, out::add);
        return out;
    }

    private List<Long> segmentSizes() throws IOException {
        List<Long> sizes = new ArrayList<>();
        for (JournalFormat.Segment s : JournalFormat.segments(dir)) sizes.add(Files.size(s.file()));
        return sizes;
    }

    @Test
    void appendedBatchesReadBackInOrderAtTheirPositions() throws Exception {
        List<JournalEvent> all = new ArrayList<>();
        try (EventJournal j = EventJournal.open(dir)) {
            assertEquals(0, j.position());
            for (int b = 0; b < 5; b++) {
                List<JournalEvent> batch = batch(all.size(), b + 1);
                long end = j.append(batch).get();
                all.addAll(batch);
                assertEquals(all.size(), end, "an append completes with the position after its batch");
                assertEquals(all.size(), j.position());
            }
            List<JournalEvent> odd = List.of(new JournalEvent("用户-ü", "item\t\"é\"", -5), new JournalEvent("x".repeat(256), "y", Long.MAX_VALUE));
            assertEquals(all.size() + 2, j.append(odd).get());
            all.addAll(odd);
        }
        assertEquals(all, readAll(dir, 0));
        for (int from = 0; from <= all.size(); from++) {
            assertEquals(all.subList(from, all.size()), readAll(dir, from), "reading from position " + from);
        }
        assertEquals(all.size(), JournalReader.read(dir, all.size() + 10, e -> {}), "a read past the end returns the end");
    }

    @Test
    void reopeningContinuesThePositions() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(0, 3)).get();
        }
        try (EventJournal j = EventJournal.open(dir)) {
            assertEquals(3, j.position());
            assertEquals(0, j.recoveredBytesCut());
            assertEquals(5, j.append(batch(3, 2)).get());
        }
        assertEquals(batch(0, 5), readAll(dir, 0));
    }

    @Test
    void aTornTailIsCutToTheLastWholeRecordAtEveryByteOffset() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(0, 2)).get();
            j.append(batch(2, 3)).get();
        }
        long whole = segmentSizes().get(0);
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(5, 4)).get();
        }
        Path seg = JournalFormat.segments(dir).get(0).file();
        byte[] full = Files.readAllBytes(seg);
        for (int cut = (int) whole; cut < full.length; cut++) {
            Files.write(seg, java.util.Arrays.copyOf(full, cut));
            try (EventJournal j = EventJournal.open(dir)) {
                assertEquals(5, j.position(), "cut at byte " + cut);
                assertEquals(cut - whole, j.recoveredBytesCut(), "cut at byte " + cut);
                assertEquals(whole, Files.size(seg), "the tail is truncated away");
            }
            assertEquals(batch(0, 5), readAll(dir, 0));
        }
        Files.write(seg, full);
        Files.write(seg, new byte[4096], StandardOpenOption.APPEND); // a tail of zeros, as a file system may leave
        try (EventJournal j = EventJournal.open(dir)) {
            assertEquals(9, j.position());
            assertEquals(4096, j.recoveredBytesCut());
            assertEquals(12, j.append(batch(9, 3)).get(), "appends continue after the cut");
        }
        assertEquals(batch(0, 12), readAll(dir, 0));
    }

    @Test
    void aReaderStopsAtATornTailWithoutCuttingIt() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(0, 2)).get();
            j.append(batch(2, 2)).get();
        }
        Path seg = JournalFormat.segments(dir).get(0).file();
        long size = Files.size(seg);
        try (FileChannel ch = FileChannel.open(seg, StandardOpenOption.WRITE)) {
            ch.truncate(size - 3);
        }
        assertEquals(batch(0, 2), readAll(dir, 0));
        assertEquals(size - 3, Files.size(seg));
    }

    @Test
    void aDamagedByteBeforeTheTailIsAnErrorNamingSegmentAndOffset() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(0, 2)).get();
        }
        long second = segmentSizes().get(0);
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(2, 3)).get();
        }
        long third = segmentSizes().get(0);
        try (EventJournal j = EventJournal.open(dir)) {
            j.append(batch(5, 1)).get();
        }
        Path seg = JournalFormat.segments(dir).get(0).file();
        byte[] good = Files.readAllBytes(seg);
        for (int at = (int) second; at < third; at++) {
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(seg, bad);
            JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> EventJournal.open(dir).close(), "byte " + at);
            assertEquals(seg, e.segment());
            assertEquals(second, e.offset(), "the damaged record's offset, byte " + at);
            assertTrue(e.getMessage().contains(seg.toString()) && e.getMessage().contains("offset " + second), e.getMessage());
            JournalCorruptException r = assertThrows(JournalCorruptException.class, () -> readAll(dir, 0));
            assertEquals(second, r.offset());
            assertTrue(java.util.Arrays.equals(bad, Files.readAllBytes(seg)), "nothing is cut from a corrupt journal");
        }
    }

    @Test
    void segmentsRotateBySizeAndAreReadAcrossFromAnyPosition() throws Exception {
        List<JournalEvent> all = new ArrayList<>();
        JournalOptions small = JournalOptions.defaults().withSegmentBytes(300);
        for (int round = 0; round < 3; round++) {
            try (EventJournal j = EventJournal.open(dir, small)) {
                for (int b = 0; b < 40; b++) {
                    List<JournalEvent> batch = batch(all.size(), 1 + b % 4);
                    all.addAll(batch);
                    assertEquals(all.size(), j.append(batch).get());
                }
            }
        }
        List<JournalFormat.Segment> segments = JournalFormat.segments(dir);
        assertTrue(segments.size() > 20, segments.size() + " segments");
        for (JournalFormat.Segment s : segments) assertTrue(Files.size(s.file()) <= 300, s.file() + " is " + Files.size(s.file()) + " bytes");
        assertEquals(0, segments.get(0).firstPosition());
        for (int from = 0; from <= all.size(); from++) assertEquals(all.subList(from, all.size()), readAll(dir, from), "from " + from);
    }

    @Test
    void damageInAnEarlierSegmentAndAMissingSegmentAreErrorsOfTheReader() throws Exception {
        try (EventJournal j = EventJournal.open(dir, JournalOptions.defaults().withSegmentBytes(100))) {
            for (int b = 0; b < 10; b++) j.append(batch(b * 2, 2)).get();
        }
        List<JournalFormat.Segment> segments = JournalFormat.segments(dir);
        Path second = segments.get(1).file();
        byte[] good = Files.readAllBytes(second);
        byte[] bad = good.clone();
        bad[good.length - 1] ^= 1; // the last byte of a segment that is not the last: no crash tears it
        Files.write(second, bad);
        JournalCorruptException e = assertThrows(JournalCorruptException.class, () -> readAll(dir, 0));
        assertEquals(second, e.segment());
        assertEquals(0, e.offset());
        Files.write(second, good);
        Files.delete(segments.get(2).file());
        JournalCorruptException missing = assertThrows(JournalCorruptException.class, () -> readAll(dir, 0));
        assertEquals(segments.get(3).file(), missing.segment());
        assertTrue(missing.getMessage().contains("missing"), missing.getMessage());
        Files.delete(segments.get(0).file());
        JournalCorruptException gone = assertThrows(JournalCorruptException.class, () -> readAll(dir, 0));
        assertTrue(gone.getMessage().contains("the segments before it are missing"), gone.getMessage());
    }

    @Test
    void concurrentAppendsShareFsyncsAndReadBackExactlyOnceInAcknowledgedOrder() throws Exception {
        int threads = 32, perThread = 100;
        Map<JournalEvent, Long> acknowledged = new ConcurrentHashMap<>(); // event -> the position its append gave
        AtomicReference<Throwable> failed = new AtomicReference<>();
        long syncs;
        try (EventJournal j = EventJournal.open(dir, JournalOptions.defaults().withSegmentBytes(16 << 10))) {
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                workers.add(started(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < perThread; i++) {
                            JournalEvent e = new JournalEvent("t" + thread, "e" + i, i);
                            long at = j.append(List.of(e)).get();
                            acknowledged.put(e, at);
                        }
                    } catch (Throwable x) {
                        failed.set(x);
                    }
                }));
            }
            go.countDown();
            for (Thread w : workers) w.join();
            syncs = j.syncs();
        }
        assertNull(failed.get());
        List<JournalEvent> read = readAll(dir, 0);
        assertEquals(threads * perThread, read.size());
        assertEquals(threads * perThread, new HashSet<>(read).size(), "each event exactly once");
        assertEquals(acknowledged.keySet(), new HashSet<>(read));
        for (int k = 0; k < read.size(); k++) {
            assertEquals(k + 1, acknowledged.get(read.get(k)), "an event is at the position its acknowledgement gave");
        }
        int[] next = new int[threads]; // one thread's appends, each acknowledged before the next, are in that order
        for (JournalEvent e : read) assertEquals(next[Integer.parseInt(e.user().substring(1))]++, e.time(), "order of " + e.user());
        assertTrue(syncs < threads * perThread, syncs + " fsyncs for " + threads * perThread + " appends");
    }

    @Test
    void aSecondWriterIsRefused() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            IOException e = assertThrows(IOException.class, () -> EventJournal.open(dir));
            assertTrue(e.getMessage().contains("already open for writing"), e.getMessage());
            j.append(batch(0, 1)).get();
        }
        try (EventJournal j = EventJournal.open(dir)) {
            assertEquals(1, j.position(), "closing releases the directory");
        }
    }

    @Test
    void aReaderBesideAWriterSeesAGrowingPrefix() throws Exception {
        List<JournalEvent> all = batch(0, 3000);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try (EventJournal j = EventJournal.open(dir, JournalOptions.defaults().withSegmentBytes(2000))) {
            Thread writer = started(() -> {
                try {
                    List<CompletableFuture<Long>> acks = new ArrayList<>();
                    for (int k = 0; k < all.size(); k += 3) acks.add(j.append(all.subList(k, k + 3)));
                    for (CompletableFuture<Long> a : acks) a.get();
                } catch (Throwable x) {
                    failed.set(x);
                }
            });
            long seen = 0;
            while (writer.isAlive() || seen < all.size()) {
                List<JournalEvent> read = readAll(dir, 0);
                assertEquals(all.subList(0, read.size()), read, "a prefix of what was appended");
                assertTrue(read.size() >= seen, "it only grows");
                seen = read.size();
            }
            writer.join();
        }
        assertNull(failed.get());
    }

    @Test
    void closeWritesWhatIsPendingAndThenRefusesAppends() throws Exception {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        EventJournal j = EventJournal.open(dir);
        for (int b = 0; b < 200; b++) acks.add(j.append(batch(b, 1)));
        j.close();
        for (int b = 0; b < 200; b++) assertEquals(b + 1, acks.get(b).getNow(-1L), "completed by close");
        assertThrows(IllegalStateException.class, () -> j.append(batch(0, 1)));
        assertEquals(200, readAll(dir, 0).size());
    }

    @Test
    void badBatchesAreRefusedNamingTheEventAndField() throws Exception {
        try (EventJournal j = EventJournal.open(dir)) {
            assertMessage(List.of(), "empty batch");
            assertMessage(batch(0, EventJournal.MAX_BATCH_EVENTS + 1), "more than " + EventJournal.MAX_BATCH_EVENTS);
            assertMessage(List.of(new JournalEvent("u", "i", 1), new JournalEvent("", "i", 1)), "event 1: empty user id");
            assertMessage(List.of(new JournalEvent("u", null, 1)), "event 0: empty item id");
            assertMessage(List.of(new JournalEvent("é".repeat(129), "i", 1)), "event 0: user id is 258 bytes");
            assertMessage(List.of(new JournalEvent("u", "a\uD800b", 1)), "event 0: item id has an unpaired surrogate");
            for (List<JournalEvent> bad : List.of(List.<JournalEvent>of(), List.of(new JournalEvent("", "i", 1)))) {
                assertThrows(IllegalArgumentException.class, () -> j.append(bad));
            }
            assertEquals(EventJournal.MAX_BATCH_EVENTS, j.append(batch(0, EventJournal.MAX_BATCH_EVENTS)).get(), "the limits themselves are fine");
            assertEquals(0, j.recoveredBytesCut());
        }
        assertEquals(EventJournal.MAX_BATCH_EVENTS, readAll(dir, 0).size(), "nothing of a refused batch was written");
    }

    private static Thread started(Runnable body) {
        Thread t = new Thread(body);
        t.start();
        return t;
    }

    private static void assertMessage(List<JournalEvent> batch, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JournalFormat.encode(batch));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
