package dev.lstmrec.serve;

// The model being served and its live histories, kept in journal order. Events reach the histories only after they
// are durable, and in the order of their journal positions (a batch whose fsync completes early waits for the batches
// before it), so the histories in memory are always exactly "stored histories + journal[from, applied)": the same
// thing a restart (or a hot swap) rebuilds by replaying the journal. A swap builds the new model's histories by
// replay without holding up ingest, then catches up and switches under the same lock that orders the applies.
// Checked by LiveEventsTest (read-your-writes under concurrency, restart replay) and HotSwapTest.

import dev.lstmrec.engine.api.Lineage;
import dev.lstmrec.engine.api.Recommender;
import dev.lstmrec.engine.api.SavedModel;
import dev.lstmrec.engine.journal.JournalEvent;
import dev.lstmrec.engine.journal.JournalReader;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The current {@link ServingModel}, the journal position its histories reach, and the hot swap. */
final class LiveModel implements AutoCloseable {
    private final Path journalDir;
    /** Most users whose states a swap computes ahead under the new model, and how many per batch. */
    static final int CARRIED_USERS = 4096, CARRY_BATCH = 64;
    private final ScoringSettings scoring;
    /** Orders applies and swaps. */
    private final Object order = new Object();
    /** Durable batches waiting for an earlier one, by start position. Guarded by {@link #order}. */
    private final TreeMap<Long, List<JournalEvent>> early = new TreeMap<>();
    /** Journal position up to which events are in the current histories. Guarded by {@link #order}. */
    private long applied;
    private volatile ServingModel current;
    private volatile boolean closed;
    private final AtomicLong closedBatches = new AtomicLong();
    private final AtomicLong closedQueries = new AtomicLong();

    /**
     * Serves {@code first}. With a journal ({@code journalDir} not null, holding {@code journalEnd} events), the events
     * from the model's lineage position (all of them when it has none) are replayed into its histories first.
     *
     * @throws IOException when the journal cannot be read or the model claims more journal events than it holds
     */
    LiveModel(Recommender first, boolean ownsFirst, String file, Path journalDir, long journalEnd,
              ScoringSettings scoring) throws IOException {
        this.journalDir = journalDir;
        this.scoring = scoring;
        LiveHistories h = new LiveHistories(first.model());
        readInto(h, firstPosition(first.model(), journalEnd), journalEnd);
        this.applied = journalDir == null ? 0 : journalEnd;
        this.current = new ServingModel(first, ownsFirst, h, file, scoring, this::count);
    }

    /**
     * The current model, retained: pair with {@link ServingModel#release()}. A request keeps the model it started with
     * even if a swap happens meanwhile.
     *
     * @throws RejectedExecutionException once closed
     */
    ServingModel acquire() {
        while (true) {
            if (closed) throw new RejectedExecutionException("server is stopping");
            ServingModel m = current;
            if (m.retain()) return m;
        }
    }

    /** The current model without retaining it (for {@code /info}). */
    ServingModel peek() {
        return current;
    }

    /**
     * Takes a batch that the journal has made durable at positions {@code [start, start + size)}: it is applied at once
     * if every batch before it is, else when the last of those arrives. Never blocks on other batches (the journal's
     * completion thread may call it).
     */
    void offerDurable(long start, List<JournalEvent> batch) {
        synchronized (order) {
            if (start < applied) return; // already in (cannot happen with one journal; kept total)
            early.put(start, batch);
            boolean progressed = false;
            for (Map.Entry<Long, List<JournalEvent>> next; (next = early.firstEntry()) != null && next.getKey() == applied; ) {
                early.pollFirstEntry();
                LiveHistories h = current.histories;
                for (JournalEvent e : next.getValue()) h.apply(e.user(), e.item());
                applied += next.getValue().size();
                progressed = true;
            }
            if (progressed) order.notifyAll();
        }
    }

    /**
     * Waits until the events before journal position {@code end} are in the histories (so a read that follows sees
     * them).
     *
     * @throws TimeoutException when they are not within {@code timeout} (an earlier batch never became durable)
     */
    void awaitApplied(long end, Duration timeout) throws TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (order) {
            while (applied < end) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException("events up to journal position " + end + " are durable but an earlier batch"
                            + " (from position " + applied + ") is not");
                }
                order.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    /** Journal position up to which events are in the histories. */
    long applied() {
        synchronized (order) {
            return applied;
        }
    }

    /**
     * Serves {@code next} from now on, with its stored histories plus the journal events it does not contain. Requests
     * already running finish on the old model, which is closed after the last of them.
     *
     * @throws IOException when the journal cannot be read or {@code next} claims journal events this journal lacks;
     *                     then nothing changed and {@code next} is not closed
     */
    void swap(Recommender next, boolean ownsNext, String file) throws IOException {
        if (closed) throw new IOException("server is stopping");
        long seen = applied();
        long from = firstPosition(next.model(), seen);
        LiveHistories h = new LiveHistories(next.model());
        readInto(h, from, seen); // the bulk of the replay, while events keep arriving
        ServingModel fresh = new ServingModel(next, ownsNext, h, file, scoring, this::count);
        try {
            carryActiveUsers(current.recommender, fresh);
        } catch (RuntimeException e) {
            fresh.batcher.close();
            throw e;
        }
        ServingModel old;
        synchronized (order) {
            try {
                if (closed) throw new IOException("server is stopping");
                readInto(h, Math.max(from, seen), applied); // what arrived during the bulk replay
            } catch (IOException | RuntimeException e) {
                fresh.batcher.close();
                throw e;
            }
            old = current;
            current = fresh;
        }
        old.release();
    }

    /**
     * Computes, under the new model's weights, the states of the users the old model holds states for (most recent
     * first, up to {@link #CARRIED_USERS}), before the swap: otherwise every active user's next request re-reads their
     * whole window in the same moments after the swap. Events arriving meanwhile cost those users one step each later.
     */
    private static void carryActiveUsers(Recommender old, ServingModel fresh) {
        List<String> users = old.recentStateKeys(CARRIED_USERS);
        for (int from = 0; from < users.size(); from += CARRY_BATCH) {
            List<String> keys = new ArrayList<>();
            List<int[]> histories = new ArrayList<>();
            for (String user : users.subList(from, Math.min(users.size(), from + CARRY_BATCH))) {
                int[] h = fresh.histories.scoringHistory(user);
                if (h == null || h.length == 0) continue;
                keys.add(user);
                histories.add(h);
            }
            if (keys.isEmpty()) continue;
            int[] k = new int[keys.size()];
            Arrays.fill(k, 1);
            fresh.recommender.recommendBatch(keys, histories, k, Collections.nCopies(keys.size(), Set.<Integer>of()));
        }
    }

    /** Where replay starts for {@code model}: its lineage's journal position, 0 when it has none. */
    private long firstPosition(SavedModel model, long journalEnd) throws IOException {
        if (journalDir == null) return 0;
        long from = Lineage.of(model).journalPosition().orElse(0);
        if (from > journalEnd) {
            throw new IOException("the model contains journal events up to position " + from + " but the journal "
                    + journalDir + " holds " + journalEnd + ": it was updated from another journal");
        }
        return from;
    }

    /** Stops {@link JournalReader#read} once enough events were taken. */
    private static final class Enough extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Enough() {
            super(null, null, false, false);
        }
    }

    /** Applies the journal's events at positions {@code [from, to)} to {@code h}. */
    private void readInto(LiveHistories h, long from, long to) throws IOException {
        if (journalDir == null || from >= to) return;
        long[] position = {from};
        try {
            JournalReader.read(journalDir, from, e -> {
                if (position[0] >= to) throw new Enough();
                h.apply(e.user(), e.item());
                position[0]++;
            });
        } catch (Enough done) {
            // read as far as needed
        }
        if (position[0] < to) {
            throw new IOException("the journal " + journalDir + " ends at position " + position[0] + ", expected " + to);
        }
    }

    /** Keeps the counters of a model that served its last request (they are missing from stats while it drains). */
    private void count(ServingModel closedModel) {
        closedBatches.addAndGet(closedModel.batcher.batches());
        closedQueries.addAndGet(closedModel.batcher.queries());
    }

    /** {@code batches} and {@code queries} over every model served. */
    Map<String, Object> stats() {
        ServingModel m = current;
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("batches", closedBatches.get() + m.batcher.batches());
        s.put("queries", closedQueries.get() + m.batcher.queries());
        return s;
    }

    /** Stops taking requests and closes the current model (scoring what is queued). Idempotent. */
    @Override
    public void close() {
        synchronized (order) {
            if (closed) return;
            closed = true;
        }
        current.release();
    }
}
