// Event journal ingest: appends per second and acknowledgement latency (append to the future's completion, which
// waits for the fsync that covers it) from many threads, each appending and waiting in a loop, as server request
// threads would. The fsync count shows how many appends each group commit covered.
package dev.lstmrec.bench;

import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.journal.JournalEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code java -cp bench/target/benchmarks.jar dev.lstmrec.bench.JournalIngest --dir DIR --threads 64 --batch 1
 * --seconds 10 --warmup 2}. DIR must not exist yet, on the disk to measure (not tmpfs); it is deleted afterwards.
 * Prints events/s, appends/s, fsyncs and p50/p99/max acknowledgement latency over the measured seconds.
 */
public final class JournalIngest {
    private JournalIngest() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> m = new HashMap<>(Map.of("--dir", "", "--threads", "64", "--batch", "1", "--seconds", "10", "--warmup", "2"));
        for (int i = 0; i < args.length; i++) {
            if (!m.containsKey(args[i]) || i + 1 >= args.length) throw new IllegalArgumentException("usage: " + m.keySet() + " each with a value");
            m.put(args[i], args[++i]);
        }
        Path dir = Path.of(m.get("--dir"));
        if (m.get("--dir").isEmpty() || Files.exists(dir)) throw new IllegalArgumentException("--dir: a directory that does not exist yet");
        int threads = Integer.parseInt(m.get("--threads")), batch = Integer.parseInt(m.get("--batch"));
        long warmupNanos = (long) (Double.parseDouble(m.get("--warmup")) * 1e9), measureNanos = (long) (Double.parseDouble(m.get("--seconds")) * 1e9);
        try (EventJournal journal = EventJournal.open(dir)) {
            long start = System.nanoTime(), measureFrom = start + warmupNanos, measureTo = measureFrom + measureNanos;
            long[][] latencies = new long[threads][];
            long[] syncsAt = new long[2];
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread w = new Thread(() -> latencies[thread] = run(journal, thread, batch, measureFrom, measureTo));
                w.start();
                workers.add(w);
            }
            Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
            syncsAt[0] = journal.syncs();
            long positionAt = journal.position();
            Thread.sleep(Math.max(0, (measureTo - System.nanoTime()) / 1_000_000));
            syncsAt[1] = journal.syncs();
            long events = journal.position() - positionAt;
            for (Thread w : workers) w.join();
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
            double seconds = measureNanos / 1e9;
            System.out.printf(Locale.ROOT, "threads %d, batch %d: %,.0f events/s, %,.0f appends/s, %,.0f fsyncs/s (%.1f appends per fsync);"
                            + " ack latency p50 %.2f ms, p99 %.2f ms, max %.2f ms (%,d appends measured)%n", threads, batch, events / seconds,
                    all.length / seconds, (syncsAt[1] - syncsAt[0]) / seconds, all.length / (double) Math.max(1, syncsAt[1] - syncsAt[0]),
                    pct(all, 0.50), pct(all, 0.99), all[all.length - 1] / 1e6, all.length);
        } finally {
            try (var files = Files.list(dir)) {
                for (Path f : (Iterable<Path>) files::iterator) Files.delete(f);
            }
            Files.delete(dir);
        }
    }

    /** Appends and waits in a loop until {@code to}; returns the latencies of the appends that started after {@code from}. */
    private static long[] run(EventJournal journal, int thread, int batch, long from, long to) {
        long[] lat = new long[1 << 16];
        int n = 0;
        long seq = 0;
        try {
            while (true) {
                List<JournalEvent> events = new ArrayList<>(batch);
                for (int k = 0; k < batch; k++, seq++) events.add(new JournalEvent("user" + (thread * 7919 + seq % 1000), "item" + (seq * 31 % 50_000), 1_733_570_000L + seq));
                long t0 = System.nanoTime();
                if (t0 >= to) break;
                journal.append(events).get();
                long t1 = System.nanoTime();
                if (t0 >= from && t1 <= to) {
                    if (n == lat.length) lat = Arrays.copyOf(lat, 2 * n);
                    lat[n++] = t1 - t0;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return Arrays.copyOf(lat, n);
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.round(p * (sorted.length - 1)))] / 1e6;
    }
}
