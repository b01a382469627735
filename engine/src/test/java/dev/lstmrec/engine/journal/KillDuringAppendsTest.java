package dev.lstmrec.engine.journal;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A writer process killed with SIGKILL in the middle of concurrent appends: on reopen every acknowledged event is in
 * the journal at the position its acknowledgement gave, exactly once, and the journal accepts appends again.
 */
class KillDuringAppendsTest {
    @TempDir
    Path dir;

    /** The child: 8 threads append batches of 1..3 events and print "position user item" lines once acknowledged. */
    public static void main(String[] args) throws Exception {
        EventJournal journal = EventJournal.open(Path.of(args[0]), JournalOptions.defaults().withSegmentBytes(8 << 10));
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        for (int t = 0; t < 8; t++) {
            int thread = t;
            new Thread(() -> {
                for (int i = 0; ; i++) {
                    List<JournalEvent> batch = new ArrayList<>();
                    for (int k = 0; k <= i % 3; k++) batch.add(new JournalEvent("t" + thread, "e" + i + "." + k, i));
                    long end = journal.append(batch).join();
                    synchronized (out) {
                        for (int k = 0; k < batch.size(); k++) out.println((end - batch.size() + k) + " t" + thread + " e" + i + "." + k);
                    }
                }
            }).start();
        }
        Thread.sleep(Long.MAX_VALUE);
    }

    @Test
    void everyAcknowledgedEventSurvivesAKill() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process child = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"), KillDuringAppendsTest.class.getName(),
                dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Map<Long, String> acknowledged = new HashMap<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; acknowledged.size() < 3000 && (line = in.readLine()) != null; ) {
                String[] f = line.split(" ");
                acknowledged.put(Long.parseLong(f[0]), f[1] + " " + f[2]);
            }
            child.toHandle().destroyForcibly(); // SIGKILL: appends in flight, a group possibly half written
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }
        assertTrue(acknowledged.size() >= 3000, "the child acknowledged " + acknowledged.size());
        List<JournalEvent> read = new ArrayList<>();
        try (EventJournal j = EventJournal.open(dir, JournalOptions.defaults().withSegmentBytes(8 << 10))) {
            JournalReader.read(dir, 0, read::add);
            assertEquals(read.size(), j.position());
            assertEquals(read.size() + 1, j.append(List.of(new JournalEvent("after", "kill", 0))).get());
        }
        for (Map.Entry<Long, String> a : acknowledged.entrySet()) {
            assertTrue(a.getKey() < read.size(), "acknowledged position " + a.getKey() + " is in the journal (" + read.size() + " events)");
            JournalEvent e = read.get((int) (long) a.getKey());
            assertEquals(a.getValue(), e.user() + " " + e.item(), "the event at position " + a.getKey());
        }
        assertEquals(read.size(), read.stream().distinct().count(), "nothing duplicated");
    }
}
