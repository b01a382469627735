package dev.lstmrec.engine.api;

// Micro-batching for embedders that answer concurrent queries (the serve module's HTTP server is one): one thread
// owns the Recommender (backends are not thread-safe) and scores every query waiting for it in one recommendBatch
// call. It waits for stragglers (up to maxWait) only while the caller says more queries are on their way, so a lone
// query is never delayed. Checked by BatcherTest (concurrent results equal one-by-one results; batches form; close).

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Collects queries from many threads and scores them in batches on one thread, through
 * {@link Recommender#recommendBatch}: a query gets the same items alone or in a batch.
 *
 * <p>Use: {@link #submit} from any thread and wait on the future. Callers that know a query is coming (a request
 * being read) may {@link #announce()} it first and {@link #withdraw()} once submitted or abandoned: while any is
 * announced, a ready batch waits up to {@code maxWait} for it. {@link #close()} scores what is queued and stops.
 */
public final class Batcher implements AutoCloseable {
    private record Query(String userKey, int[] history, int k, Collection<Integer> exclude,
                         CompletableFuture<List<Recommendation>> result) {}

    private static final Query STOP = new Query(null, new int[0], 0, List.of(), null);
    private static final System.Logger LOG = System.getLogger(Batcher.class.getName());

    private final Recommender recommender;
    private final int maxBatch;
    private final long maxWaitNanos;
    private final LinkedBlockingQueue<Query> queue = new LinkedBlockingQueue<>();
    private final AtomicInteger arriving = new AtomicInteger();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong queries = new AtomicLong();
    private final Object submitLock = new Object();
    private final Thread thread;
    private boolean closed;

    /**
     * Starts the batching thread (a daemon) over {@code recommender}, which it then uses alone.
     *
     * @param maxBatch most queries scored in one backend call, at least 1
     * @param maxWait  longest wait for announced queries once a batch is ready, zero or more
     */
    public Batcher(Recommender recommender, int maxBatch, Duration maxWait) {
        if (recommender == null) throw new IllegalArgumentException("recommender is null");
        if (maxBatch < 1) throw new IllegalArgumentException("max batch must be positive, got " + maxBatch);
        if (maxWait == null || maxWait.isNegative()) throw new IllegalArgumentException("max wait must be >= 0, got " + maxWait);
        this.recommender = recommender;
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.thread = new Thread(this::loop, "lstmrec-batcher");
        thread.setDaemon(true);
        thread.start();
    }

    /** A query is on its way (being read or parsed): the batcher may wait for it. Pair with {@link #withdraw()}. */
    public void announce() {
        arriving.incrementAndGet();
    }

    /** The announced query was submitted or abandoned. */
    public void withdraw() {
        arriving.decrementAndGet();
    }

    /**
     * Queues one query (the arguments of one row of {@link Recommender#recommendBatch}); the future completes with
     * its recommendations, or exceptionally with the scoring failure, or with {@link RejectedExecutionException}
     * when the batcher was closed first.
     *
     * @throws RejectedExecutionException when the batcher is closed
     */
    public CompletableFuture<List<Recommendation>> submit(int[] history, int k, Collection<Integer> exclude) {
        return submit(null, history, k, exclude);
    }

    /**
     * As {@link #submit(int[], int, Collection)} for a user's query: with a {@code userKey} the user's carried LSTM
     * state is used and kept (see {@link Recommender#recommendBatch(List, List, int[], List)}); null is unkeyed.
     *
     * @throws RejectedExecutionException when the batcher is closed
     */
    public CompletableFuture<List<Recommendation>> submit(String userKey, int[] history, int k, Collection<Integer> exclude) {
        CompletableFuture<List<Recommendation>> f = new CompletableFuture<>();
        synchronized (submitLock) { // nothing can be queued behind STOP, so close() answers every query
            if (closed) throw new RejectedExecutionException("batcher is closed");
            queue.add(new Query(userKey, history, k, exclude, f));
        }
        return f;
    }

    /** Batches scored so far. */
    public long batches() {
        return batches.get();
    }

    /** Queries scored so far (queries / batches is the mean batch size). */
    public long queries() {
        return queries.get();
    }

    private void loop() {
        List<Query> batch = new ArrayList<>(maxBatch);
        boolean stop = false;
        while (!stop) {
            batch.clear();
            try {
                batch.add(queue.take());
                queue.drainTo(batch, maxBatch - batch.size());
                long deadline = System.nanoTime() + maxWaitNanos;
                while (batch.size() < maxBatch && arriving.get() > 0 && batch.get(batch.size() - 1) != STOP) {
                    long left = deadline - System.nanoTime();
                    Query q = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
                    if (q == null) break;
                    batch.add(q);
                    queue.drainTo(batch, maxBatch - batch.size());
                }
            } catch (InterruptedException e) {
                stop = true; // close() interrupts only after STOP; answer what was collected, then fail the rest
            }
            if (!batch.isEmpty() && batch.get(batch.size() - 1) == STOP) {
                batch.remove(batch.size() - 1);
                stop = true;
            }
            if (!batch.isEmpty()) score(batch);
        }
        for (Query q; (q = queue.poll()) != null; ) {
            if (q != STOP) q.result().completeExceptionally(new RejectedExecutionException("batcher is closed"));
        }
    }

    private void score(List<Query> batch) {
        List<int[]> histories = new ArrayList<>(batch.size());
        List<String> keys = new ArrayList<>(batch.size());
        List<Collection<Integer>> exclude = new ArrayList<>(batch.size());
        int[] k = new int[batch.size()];
        for (int i = 0; i < batch.size(); i++) {
            histories.add(batch.get(i).history());
            keys.add(batch.get(i).userKey());
            exclude.add(batch.get(i).exclude());
            k[i] = batch.get(i).k();
        }
        try {
            List<List<Recommendation>> out = recommender.recommendBatch(keys, histories, k, exclude);
            batches.incrementAndGet();
            queries.addAndGet(batch.size());
            for (int i = 0; i < batch.size(); i++) batch.get(i).result().complete(out.get(i));
        } catch (Throwable t) { // a bug or a backend failure: fail these queries, keep scoring the next ones
            LOG.log(System.Logger.Level.ERROR, "scoring a batch of " + batch.size() + " queries failed", t);
            for (Query q : batch) q.result().completeExceptionally(t);
        }
    }

    /** Scores everything already queued, then stops the thread; later submits throw RejectedExecutionException. Idempotent. */
    @Override
    public void close() {
        synchronized (submitLock) {
            if (closed) return;
            closed = true;
            queue.add(STOP);
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            thread.interrupt();
            Thread.currentThread().interrupt();
        }
    }
}
