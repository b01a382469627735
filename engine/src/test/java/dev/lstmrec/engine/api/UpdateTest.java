package dev.lstmrec.engine.api;

import dev.lstmrec.engine.data.DataFormatException;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.model.ParameterLayout;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code update}: new events extend the stored histories in time order, the catalogue grows with every stored item
 * keeping its id and row, the model records its lineage, new items can be recommended, and an interrupted update
 * resumed from its checkpoints ends bit-identical to an uninterrupted one.
 */
class UpdateTest {
    @TempDir
    static Path dir;
    static Path initial, later;
    static SavedModel parent;

    /**
     * A ring log: each user walks items i, i+1, ... (mod the catalogue) one event per hour; the later log continues
     * the same users (and 20 new ones) over a catalogue with 12 more items.
     */
    @BeforeAll
    static void logs() throws IOException {
        initial = dir.resolve("initial.tsv");
        later = dir.resolve("later.tsv");
        write(initial, 0, 80, 40, 0L, 8);
        write(later, 0, 100, 52, 1_000_000L, 6);
        parent = LstmRec.trainer().data(initial).format(Format.ML100K).dim(8).hidden(8).maxLen(10).batch(16).epochs(3)
                .patience(0).seed(3).backend("scalar").threads(1).train().model();
    }

    private static void write(Path file, int firstUser, int users, int items, long t0, int length) throws IOException {
        SplittableRandom r = new SplittableRandom(users * 31L + items);
        List<String> lines = new ArrayList<>();
        for (int u = firstUser; u < users; u++) {
            int item = r.nextInt(items);
            for (int i = 0; i < length; i++) {
                lines.add("u" + u + "\ti" + ((item + i) % items) + "\t1\t" + (t0 + 3600L * i + u));
            }
        }
        Files.write(file, lines);
    }

    private static UpdateBuilder updater() {
        return LstmRec.updater(parent).data(later).set(RunOption.FORMAT, "ml-100k").set(RunOption.BATCH, "16").epochs(3)
                .set(RunOption.PATIENCE, "0").seed(5).backend("scalar").threads(1);
    }

    @Test
    void newEventsAppendToTheStoredHistoriesAndTheCatalogueGrowsWithStableIds() throws IOException {
        Dataset events = DataReader.read(later, ReadOptions.builder().format(Format.ML100K).build());
        MergedEvents m = MergedEvents.merge(parent, events, later, false);
        assertEquals(parent.itemIds(), m.itemIds().subList(0, parent.itemIds().size()), "every stored item keeps its index and id");
        assertEquals(12, m.newItems());
        assertEquals(parent.userIds(), m.userIds().subList(0, parent.userIds().size()), "every stored user keeps its index");
        assertEquals(100, m.userIds().size());
        for (int u = 0; u < parent.userIds().size(); u++) {
            int[] stored = parent.histories()[u];
            assertArrayEquals(stored, Arrays.copyOf(m.histories()[u], stored.length), "the stored history comes first");
            int v = events.userIndex(m.userIds().get(u)).getAsInt();
            int[] fresh = events.sequence(v);
            for (int i = 0; i < fresh.length; i++) {
                assertEquals(events.itemId(fresh[i]), m.itemIds().get(m.histories()[u][stored.length + i] - 1), "then the new events in time order");
            }
            assertEquals(events.lastTime(v), m.lastTimes()[u]);
        }
        assertEquals(events.numInteractions(), m.newEvents());
    }

    @Test
    void aKnownUsersEventOlderThanTheirLastStoredOneIsRefusedNamingTheLineUnlessAllowed() throws IOException {
        Path old = dir.resolve("old.tsv");
        Files.write(old, List.of("u7\ti3\t1\t" + (2_000_000L), "u7\ti4\t1\t5"));
        Dataset events = DataReader.read(old, ReadOptions.builder().format(Format.ML100K).build());
        DataFormatException e = assertThrows(DataFormatException.class, () -> MergedEvents.merge(parent, events, old, false));
        assertTrue(e.getMessage().contains(old + ":2:") && e.getMessage().contains("u7") && e.getMessage().contains("--allow-out-of-order"),
                e.getMessage());
        MergedEvents allowed = MergedEvents.merge(parent, events, old, true);
        int u = parent.userIndex().get("u7");
        int[] stored = parent.histories()[u], merged = allowed.histories()[u];
        assertEquals(stored.length + 2, merged.length);
        // merged by time: the event at 5 s is older than every stored one (7 s + 1 h steps), the one at 2,000,000 s newer
        assertEquals("i4", allowed.itemIds().get(merged[0] - 1), "the older event goes where it happened: first");
        assertArrayEquals(stored, Arrays.copyOfRange(merged, 1, stored.length + 1), "the stored events keep their order");
        assertEquals("i3", allowed.itemIds().get(merged[merged.length - 1] - 1));
        assertEquals(0, allowed.firstNew()[u]);
        assertEquals(merged.length - 1, allowed.lastNew()[u]);
        long[] times = allowed.eventTimes()[u];
        for (int i = 1; i < times.length; i++) assertTrue(times[i - 1] <= times[i], "times ascend along the merged history");
        assertEquals(5_000L, times[0]);
        assertEquals(2_000_000_000L, allowed.lastTimes()[u]);

        // a model that predates per-event times: its stored events count as older than every timed one (appended)
        SavedModel withoutTimes = new SavedModel(parent.config(), parent.itemIds(), parent.userIds(), parent.histories(),
                parent.weights(), parent.info(), parent.lastTimes());
        MergedEvents appended = MergedEvents.merge(withoutTimes, events, old, true);
        assertArrayEquals(stored, Arrays.copyOf(appended.histories()[u], stored.length), "the stored history comes first");
        assertEquals("i4", appended.itemIds().get(appended.histories()[u][stored.length] - 1), "then the new events in time order");
        assertEquals(stored.length, appended.firstNew()[u]);
    }

    @Test
    void everyStoredEventsTimeSurvivesSavingAndAModelFileWithoutThemStillLoads() throws IOException {
        assertEquals(parent.histories().length, parent.eventTimes().length);
        Path saved = dir.resolve("timed.lstmrec");
        parent.save(saved);
        SavedModel back = SavedModel.load(saved);
        for (int u = 0; u < parent.histories().length; u++) {
            assertArrayEquals(parent.eventTimes()[u], back.eventTimes()[u], "user " + u);
            assertEquals(parent.lastTimes()[u], parent.eventTimes()[u][parent.eventTimes()[u].length - 1]);
        }
        long[][] extreme = {{Long.MIN_VALUE, -1L, 0L, 1L << 40, Long.MAX_VALUE}};
        SavedModel odd = new SavedModel(parent.config(), parent.itemIds(), List.of("x"), new int[][] {{1, 2, 1, 2, 1}}, parent.weights(),
                parent.info(), new long[] {Long.MAX_VALUE}, extreme);
        odd.save(saved);
        assertArrayEquals(extreme[0], SavedModel.load(saved).eventTimes()[0], "all 64 bits of a time survive");
        new SavedModel(parent.config(), parent.itemIds(), parent.userIds(), parent.histories(), parent.weights(), parent.info(),
                parent.lastTimes()).save(saved);
        SavedModel older = SavedModel.load(saved);
        assertEquals(null, older.eventTimes(), "a file without per-event times reads as before");
        assertArrayEquals(parent.lastTimes(), older.lastTimes());
    }

    @Test
    void validationHoldsOutEveryCandidateUpToTheCapThenTheLatest() {
        long none = Long.MIN_VALUE;
        long[] latest = {5, none, 9, 7, 9, 1};
        assertArrayEquals(new boolean[] {true, false, true, true, true, true}, ValidationUsers.choose(latest, 5), "all five candidates");
        assertArrayEquals(new boolean[] {false, false, true, true, true, false}, ValidationUsers.choose(latest, 3),
                "the three latest: times 9, 9, 7");
        assertArrayEquals(new boolean[] {false, false, false, false, true, false}, ValidationUsers.choose(latest, 1),
                "a tie goes to the higher user index");
    }

    @Test
    void grownWeightsKeepEveryStoredRowAndAppendTheNewOnes() {
        for (boolean tied : new boolean[] {false, true}) {
            ModelConfig small = new ModelConfig(5, 4, tied ? 4 : 3, 2, 10, 0f, 0f, tied), big = new ModelConfig(9, 4, tied ? 4 : 3, 2, 10, 0f, 0f, tied);
            float[] w = new float[new ParameterLayout(small).total()];
            for (int i = 0; i < w.length; i++) w[i] = i + 1;
            long[] counts = {0, 1, 1, 1, 1, 1, 50, 0, 1, 1};
            float[] g = GrownWeights.grow(small, w, big, counts, 1);
            ParameterLayout from = new ParameterLayout(small), to = new ParameterLayout(big);
            for (ParameterLayout.Entry e : from.entries()) {
                ParameterLayout.Entry f = to.entry(e.name());
                assertArrayEquals(Arrays.copyOfRange(w, (int) e.offset(), (int) e.offset() + e.size()),
                        Arrays.copyOfRange(g, (int) f.offset(), (int) f.offset() + e.size()), e.name() + " keeps its stored rows");
            }
            ParameterLayout.Entry b = to.entry("out.b");
            float popular = g[(int) b.offset() + 5], unseen = g[(int) b.offset() + 6];
            assertTrue(popular > unseen, "a new item's bias follows its frequency in the new events: " + popular + " vs " + unseen);
        }
    }

    /** Without --lr and --epochs an update takes half of train's rate and twice its epochs (at most 20), per kind of log. */
    @Test
    void theDefaultRateIsHalfOfTrainsAndTheEpochsTwiceTrainsAtMost20() throws IOException {
        RunConfig users = LstmRec.updater(parent).data(later).set(RunOption.FORMAT, "ml-100k").resolve();
        assertEquals(RunConfig.defaults().floatValue(RunOption.LR) / 2, users.floatValue(RunOption.LR));
        assertEquals(20, users.intValue(RunOption.EPOCHS));
        RunConfig sessions = LstmRec.updater(parent).data(later).set(RunOption.FORMAT, "gru4rec").resolve();
        assertEquals(0.005f, sessions.floatValue(RunOption.LR), 1e-9, "session logs train at 0.01");
        assertEquals(20, sessions.intValue(RunOption.EPOCHS), "session logs train 10 epochs");
        RunConfig given = LstmRec.updater(parent).data(later).set(RunOption.FORMAT, "gru4rec").set(RunOption.LR, "0.02").epochs(4).resolve();
        assertEquals(0.02f, given.floatValue(RunOption.LR));
        assertEquals(4, given.intValue(RunOption.EPOCHS));
    }

    @Test
    void anUpdateGrowsTheModelRecordsItsLineageAndCanRecommendNewItems() throws IOException {
        UpdateBuilder.Result r = updater().train();
        SavedModel m = r.model();
        assertEquals(parent.config().numItems() + 12, m.config().numItems());
        assertEquals(parent.itemIds(), m.itemIds().subList(0, parent.itemIds().size()));
        Lineage lineage = Lineage.of(m);
        assertEquals(Lineage.checksum(parent), lineage.parent());
        assertEquals(Lineage.of(parent).events() + r.merged().newEvents(), lineage.events());
        assertEquals(1_000_000L * 1000 + 5 * 3600_000L + 99_000L, lineage.lastTime().getAsLong(), "the latest event, in milliseconds");
        Path saved = dir.resolve("updated.lstmrec");
        m.save(saved);
        SavedModel back = SavedModel.load(saved);
        assertArrayEquals(m.lastTimes(), back.lastTimes());
        assertEquals(lineage, Lineage.of(back));
        try (Recommender rec = LstmRec.recommender(back, "scalar", dev.lstmrec.engine.backend.BackendOptions.withThreads(1))) {
            String newItem = m.itemIds().get(m.itemIds().size() - 1);
            List<Recommendation> top = rec.recommend(List.of(newItem), back.config().numItems() - 1);
            assertFalse(top.isEmpty(), "a history of a new item is scored");
            assertTrue(top.stream().anyMatch(x -> !parent.itemIndex().containsKey(x.itemId())), "new items appear in a full ranking");
        }
    }

    @Test
    void aSpentTimeBudgetEndsTheUpdateAfterItsFirstEpochWithThatEpochsModel() throws IOException {
        UpdateBuilder.Result r = updater().timeBudget(java.time.Duration.ofNanos(1)).train();
        assertEquals(1, r.training().epochs().size(), "the budget is spent before the second epoch");
        assertEquals(1, r.training().bestEpoch());
        assertThrows(IllegalArgumentException.class, () -> updater().timeBudget(java.time.Duration.ZERO));
    }

    @Test
    void anInterruptedUpdateResumesBitIdentically() throws IOException {
        SavedModel whole = updater().train().model();
        Path ckpt = dir.resolve("ckpt");
        AtomicInteger polls = new AtomicInteger();
        assertThrows(TrainingInterruptedException.class,
                () -> updater().checkpointDir(ckpt).set(RunOption.CHECKPOINT_EVERY, "2").stopWhen(() -> polls.incrementAndGet() >= 5).train());
        SavedModel resumed = LstmRec.updater(parent).resume(ckpt).train().model();
        assertArrayEquals(whole.weights(), resumed.weights(), "bit-identical to the uninterrupted update");
        assertEquals(whole.itemIds(), resumed.itemIds());
        SavedModel other = LstmRec.trainer().data(initial).format(Format.ML100K).dim(8).hidden(8).maxLen(10).batch(16).epochs(1)
                .patience(0).seed(4).backend("scalar").threads(1).train().model();
        assertThrows(dev.lstmrec.engine.io.CheckpointFormatException.class, () -> LstmRec.updater(other).resume(ckpt).train(),
                "the state of another parent's update is refused");
    }
}
