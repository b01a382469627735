package dev.lstmrec.cli;

import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.journal.EventJournal;
import dev.lstmrec.engine.journal.JournalEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code lstmrec update} from the command line: grows the catalogue, its help has train's settings, bad input fails clearly. */
class UpdateCliTest {
    @TempDir
    Path dir;

    private static void ring(Path file, int users, int items, long t0) throws Exception {
        List<String> lines = new ArrayList<>();
        for (int u = 0; u < users; u++) {
            for (int i = 0; i < 7; i++) lines.add("u" + u + "\ti" + ((u + i) % items) + "\t1\t" + (t0 + 3600L * i + u));
        }
        Files.write(file, lines);
    }

    @Test
    void anUpdateAddsTheNewItemsAndTheirIdsCanBeRecommendedFrom() throws Exception {
        Path a = dir.resolve("a.tsv"), b = dir.resolve("b.tsv"), m = dir.resolve("a.lstmrec"), m2 = dir.resolve("b.lstmrec");
        ring(a, 60, 30, 0);
        ring(b, 70, 40, 10_000_000L);
        String[] common = {"--format", "ml-100k", "--backend", "scalar", "--threads", "1", "--batch", "16", "--epochs", "2"};
        List<String> train = new ArrayList<>(List.of("train", "--data", a.toString(), "--model", m.toString(), "--dim", "8", "--hidden", "8"));
        train.addAll(List.of(common));
        assertEquals(0, CliTest.run(train.toArray(String[]::new)).code());
        List<String> update = new ArrayList<>(List.of("update", "--model", m.toString(), "--data", b.toString(), "--out", m2.toString(),
                "--report", dir.resolve("r.json").toString()));
        update.addAll(List.of(common));
        CliTest.Result r = CliTest.run(update.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("10 new items (catalogue 40 items)"), r.out());
        SavedModel before = SavedModel.load(m), after = SavedModel.load(m2);
        assertEquals(before.itemIds(), after.itemIds().subList(0, 30), "old items keep their ids and rows");
        String newItem = after.itemIds().get(35);
        CliTest.Result rec = CliTest.run("recommend", "--model", m2.toString(), "--history", newItem, "--k", "39", "--backend", "scalar");
        assertEquals(0, rec.code(), rec.err());
        assertTrue(Files.readString(dir.resolve("r.json")).contains("\"new_items\": 10"), Files.readString(dir.resolve("r.json")));

        List<String> twice = new ArrayList<>(List.of("update", "--model", m2.toString(), "--data", b.toString(), "--out",
                dir.resolve("c.lstmrec").toString()));
        twice.addAll(List.of(common));
        CliTest.Result again = CliTest.run(twice.toArray(String[]::new));
        assertEquals(1, again.code(), "the same events again are older than what the updated model holds");
        assertTrue(again.err().contains(b + ":") && again.err().contains("--allow-out-of-order"), again.err());
    }

    @Test
    void helpHasTrainsSettingsButNotTheNetworksShapeAndMissingInputIsAUsageError() {
        CliTest.Result help = CliTest.run("update", "--help");
        String text = help.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("--lr=LR") && text.contains("--negatives=K") && text.contains("--replay=F"), help.out());
        assertTrue(!text.contains("--dim=") && !text.contains("--test-data"), help.out());
        assertTrue(text.contains("(default: twice train's default, at most 20 (an update continues a trained model)"), help.out());
        CliTest.Result noData = CliTest.run("update", "--model", "x.lstmrec", "--out", "y.lstmrec");
        assertEquals(2, noData.code());
        assertTrue(noData.err().contains("--data or --journal is required"), noData.err());
        CliTest.Result both = CliTest.run("update", "--model", "x.lstmrec", "--out", "y.lstmrec", "--data", "a.tsv", "--journal", "j");
        assertEquals(2, both.code());
        assertTrue(both.err().contains("--data and --journal are two sources of the new events"), both.err());
    }

    @Test
    void anUpdateFromAJournalTakesTheEventsAfterTheModelsJournalPosition() throws Exception {
        Path a = dir.resolve("a.tsv"), journal = dir.resolve("journal"), m = dir.resolve("a.lstmrec");
        ring(a, 60, 30, 0);
        String[] common = {"--backend", "scalar", "--threads", "1", "--batch", "16", "--epochs", "2"};
        List<String> train = new ArrayList<>(List.of("train", "--data", a.toString(), "--format", "ml-100k", "--model", m.toString(),
                "--dim", "8", "--hidden", "8"));
        train.addAll(List.of(common));
        assertEquals(0, CliTest.run(train.toArray(String[]::new)).code());
        int n = appendRing(journal, 0, 70, 40, 10_000_000L);
        Path m2 = dir.resolve("b.lstmrec"), report = dir.resolve("r.json");
        List<String> update = new ArrayList<>(List.of("update", "--model", m.toString(), "--journal", journal.toString(), "--out",
                m2.toString(), "--report", report.toString()));
        update.addAll(List.of(common));
        CliTest.Result r = CliTest.run(update.toArray(String[]::new));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("journal position: " + n), r.out());
        assertEquals(Long.toString(n), SavedModel.load(m2).info().get("lineage.journal_position"));
        assertTrue(Files.readString(report).contains("\"lineage.journal_position\": \"" + n + "\""), Files.readString(report));

        int more = appendRing(journal, 70, 5, 100, 20_000_000L); // items i70..i80: new
        Path m3 = dir.resolve("c.lstmrec");
        List<String> again = new ArrayList<>(List.of("update", "--model", m2.toString(), "--journal", journal.toString(), "--out", m3.toString()));
        again.addAll(List.of(common));
        CliTest.Result r3 = CliTest.run(again.toArray(String[]::new));
        assertEquals(0, r3.code(), r3.err());
        assertTrue(r3.out().startsWith(String.format("update: %,d new events, 11 new items", more)), r3.out());
        assertEquals(Long.toString(n + more), SavedModel.load(m3).info().get("lineage.journal_position"));
    }

    /** Journals a ring walk of users first..first+users-1, as a server would; returns the number of events. */
    private static int appendRing(Path journal, int first, int users, int items, long t0) throws Exception {
        List<JournalEvent> events = new ArrayList<>();
        for (int u = first; u < first + users; u++) {
            for (int i = 0; i < 7; i++) events.add(new JournalEvent("u" + u, "i" + ((u + i) % items), t0 + 3600L * i + u));
        }
        try (EventJournal j = EventJournal.open(journal)) {
            for (JournalEvent e : events) j.append(List.of(e)).get();
        }
        return events.size();
    }
}
