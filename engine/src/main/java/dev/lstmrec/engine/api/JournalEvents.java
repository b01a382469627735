package dev.lstmrec.engine.api;

import dev.lstmrec.engine.data.DataFormatException;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.journal.JournalEvent;
import dev.lstmrec.engine.journal.JournalReader;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The events of an event journal (docs/journal.md) from position {@code from} to {@code to}, as the new events of an
 * update: read as {@code --data} reads a file, each user's events in time order with ties in journal order, times in
 * milliseconds, and each user's first event numbered by its 1-based place in the journal (position + 1), which errors
 * about the user name as a file's line.
 */
record JournalEvents(Dataset events, long from, long to) {
    /** Reads {@code dir} from {@code from} to its end ({@code to} < 0) or to {@code to} (an update being resumed). */
    static JournalEvents read(Path dir, long from, long to) throws IOException {
        List<JournalEvent> read = new ArrayList<>();
        long end = JournalReader.read(dir, from, e -> {
            if (to < 0 || from + read.size() < to) read.add(e);
        });
        if (end < from) {
            throw new DataFormatException(dir, "the journal ends at position " + end + ", before the model's journal position " + from
                    + ": not the journal this model's events came from");
        }
        if (to >= 0 && end < to) {
            throw new DataFormatException(dir, "the journal ends at position " + end + ", but the update being resumed read it up to " + to);
        }
        if (read.isEmpty()) throw new DataFormatException(dir, "no events after the model's journal position " + from);
        Integer[] order = new Integer[read.size()];
        for (int k = 0; k < order.length; k++) order[k] = k;
        java.util.Arrays.sort(order, Comparator.comparingLong(k -> read.get(k).time())); // stable: ties keep journal order
        Dataset.Builder b = Dataset.builder("journal " + dir + " positions " + from + ".." + (from + read.size()));
        for (int k : order) {
            JournalEvent e = read.get(k);
            long line = from + k + 1;
            long millis;
            try {
                millis = Math.multiplyExact(e.time(), 1000L);
            } catch (ArithmeticException overflow) {
                throw new DataFormatException(dir, line, "time " + e.time() + " is out of range");
            }
            b.add(e.user(), e.item(), millis, (int) Math.min(line, Integer.MAX_VALUE));
        }
        return new JournalEvents(b.build(), from, from + read.size());
    }
}
