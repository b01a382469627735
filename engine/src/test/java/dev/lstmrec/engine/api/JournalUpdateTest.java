package dev.lstmrec.engine.api;

import dev.lstmrec.engine.data.DataFormatException;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.journal.JournalEvent;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code update --journal}: the new events are the journal's from the parent's journal position on, new users and
 * items grow the model as with a file, and the child records where it read the journal up to, so the next update from
 * the child takes only what was appended since.
 */
class JournalUpdateTest {
    @TempDir
    static Path dir;
    static SavedModel parent;

    @BeforeAll
    static void trainParent() throws IOException {
        Path initial = dir.resolve("initial.tsv");
        List<String> lines = new ArrayList<>();
        for (int u = 0; u < 40; u++) for (int i = 0; i < 8; i++) lines.add("u" + u + "\ti" + ((u + i) % 30) + "\t1\t" + (3600L * i + u));
        Files.write(initial, lines);
        parent = LstmRec.trainer().data(initial).format(Format.ML100K).dim(8).hidden(8).maxLen(10).batch(16).epochs(2)
                .patience(0).seed(3).backend("scalar").threads(1).train().model();
    }

    /** {@code users} users walk {@code length} items each (some beyond the parent's 30), an hour apart after {@code t0}. */
    private static List<JournalEvent> walks(String prefix, int users, int length, long t0) {
        List<JournalEvent> events = new ArrayList<>();
        for (int i = 0; i < length; i++) {
            for (int u = 0; u < users; u++) events.add(new JournalEvent(prefix + u, "i" + ((u + i) % 36), t0 + 3600L * i + u));
        }
        return events;
    }

    private static void append(Path journal, List<JournalEvent> events) throws IOException, InterruptedException, ExecutionException {
        try (EventJournal j = EventJournal.open(journal)) {
            for (int k = 0; k < events.size(); k += 25) j.append(events.subList(k, Math.min(events.size(), k + 25))).get();
        }
    }

    private static UpdateBuilder updater(SavedModel model, Path journal) {
        return LstmRec.updater(model).journal(journal).set(RunOption.BATCH, "16").epochs(2).set(RunOption.PATIENCE, "0").seed(5)
                .backend("scalar").threads(1);
    }

    @Test
    void anUpdateReadsTheJournalFromTheModelsPositionAndRecordsWhereItStopped() throws Exception {
        Path journal = dir.resolve("journal");
        List<JournalEvent> first = walks("u", 50, 4, 1_000_000L); // u0..u39 known, u40..u49 new; items i30..i35 new
        append(journal, first);
        assertTrue(Lineage.of(parent).journalPosition().isEmpty());
        UpdateBuilder.Result r1 = updater(parent, journal).train();
        Lineage l1 = Lineage.of(r1.model());
        assertEquals(first.size(), l1.journalPosition().getAsLong(), "the child contains the whole journal");
        assertEquals(first.size(), r1.merged().newEvents());
        assertEquals(Lineage.of(parent).events() + first.size(), l1.events());
        assertEquals(6, r1.merged().newItems(), "unknown items grow the catalogue");
        assertEquals(parent.itemIds(), r1.model().itemIds().subList(0, parent.itemIds().size()));
        assertEquals(50, r1.model().userIds().size(), "unknown users start histories");
        int u7 = r1.model().userIndex().get("u7");
        assertEquals(parent.histories()[u7].length + 4, r1.model().histories()[u7].length);

        List<JournalEvent> second = walks("v", 30, 3, 2_000_000L);
        append(journal, second);
        UpdateBuilder.Result r2 = updater(r1.model(), journal).train();
        assertEquals(second.size(), r2.merged().newEvents(), "only the events after the child's position");
        assertEquals(first.size() + second.size(), Lineage.of(r2.model()).journalPosition().getAsLong());
        assertEquals(l1.events() + second.size(), Lineage.of(r2.model()).events());
        for (String u : r1.model().userIds()) {
            int a = r1.model().userIndex().get(u), b = r2.model().userIndex().get(u);
            assertArrayEquals(r1.model().histories()[a], r2.model().histories()[b], "users without new events keep their history");
        }

        DataFormatException nothing = assertThrows(DataFormatException.class, () -> updater(r2.model(), journal).train());
        assertTrue(nothing.getMessage().contains("no events after the model's journal position " + (first.size() + second.size())),
                nothing.getMessage());
        append(dir.resolve("other"), first.subList(0, 3));
        DataFormatException shorter = assertThrows(DataFormatException.class, () -> updater(r2.model(), dir.resolve("other")).train());
        assertTrue(shorter.getMessage().contains("not the journal"), shorter.getMessage());
    }

    @Test
    void theJournalAndADataFileAreExclusive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> updater(parent, dir.resolve("j")).data(dir.resolve("initial.tsv")).resolve());
        assertTrue(e.getMessage().contains("journal and data"), e.getMessage());
    }

    @Test
    void aJournalEventOlderThanTheUsersLastStoredOneNamesItsPlaceInTheJournal() throws Exception {
        Path journal = dir.resolve("old");
        append(journal, List.of(new JournalEvent("new", "i1", 5), new JournalEvent("u3", "i2", 1)));
        DataFormatException e = assertThrows(DataFormatException.class, () -> updater(parent, journal).train());
        assertTrue(e.getMessage().startsWith(journal + ":2: user 'u3'"), e.getMessage());
    }

    @Test
    void aResumedJournalUpdateReadsTheSameEventsEvenAfterMoreWereAppended() throws Exception {
        Path journal = dir.resolve("resume");
        List<JournalEvent> events = walks("u", 45, 4, 1_000_000L);
        append(journal, events);
        SavedModel whole = updater(parent, journal).train().model();
        Path ckpt = dir.resolve("ckpt");
        AtomicInteger polls = new AtomicInteger();
        assertThrows(TrainingInterruptedException.class, () -> updater(parent, journal).checkpointDir(ckpt)
                .set(RunOption.CHECKPOINT_EVERY, "2").stopWhen(() -> polls.incrementAndGet() >= 5).train());
        append(journal, walks("w", 5, 3, 3_000_000L));
        SavedModel resumed = LstmRec.updater(parent).resume(ckpt).train().model();
        assertArrayEquals(whole.weights(), resumed.weights(), "bit-identical to the uninterrupted update");
        assertEquals(events.size(), Lineage.of(resumed).journalPosition().getAsLong());
    }
}
