package dev.lstmrec.engine.api;

// Batcher against Recommender.recommend on its own backend: concurrent queries get the one-by-one answers; announced
// queries are gathered into one batch (made deterministic by a long maxWait and maxBatch = the number sent); a lone
// query is not held back by maxWait; a failing batch fails only its own queries; close answers what is queued and
// rejects the rest.

import dev.lstmrec.engine.backend.scalar.ScalarBackend;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatcherTest {
    private final SavedModel model = TinyModel.get();
    private final Recommender reference = new Recommender(model, new ScalarBackend());

    private static int[] history(SplittableRandom rnd) {
        int[] h = new int[1 + rnd.nextInt(12)];
        for (int t = 0; t < h.length; t++) h[t] = 1 + rnd.nextInt(TinyModel.ITEMS);
        return h;
    }

    @Test
    void concurrentQueriesGetTheirOneByOneAnswers() throws Exception {
        int threads = 8, each = 15;
        try (Batcher batcher = new Batcher(new Recommender(model, new ScalarBackend()), 16, Duration.ofMillis(2))) {
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long seed = 100 + t;
                    done.add(pool.submit(() -> {
                        SplittableRandom rnd = new SplittableRandom(seed);
                        for (int i = 0; i < each; i++) {
                            int[] h = history(rnd);
                            int k = 1 + rnd.nextInt(40);
                            Set<Integer> exclude = Set.of(1 + rnd.nextInt(TinyModel.ITEMS));
                            batcher.announce();
                            CompletableFuture<List<Recommendation>> f;
                            try {
                                f = batcher.submit(h, k, exclude);
                            } finally {
                                batcher.withdraw();
                            }
                            assertEquals(reference.recommend(h, k, false, exclude), f.get(30, TimeUnit.SECONDS));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                pool.shutdownNow();
            }
            assertEquals(threads * each, batcher.queries());
        }
    }

    @Test
    void announcedQueriesShareOneBatch() throws Exception {
        SplittableRandom rnd = new SplittableRandom(5);
        try (Batcher batcher = new Batcher(new Recommender(model, new ScalarBackend()), 10, Duration.ofSeconds(60))) {
            batcher.announce(); // "more are coming": the batcher waits until the batch is full
            List<int[]> histories = new ArrayList<>();
            List<CompletableFuture<List<Recommendation>>> answers = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                histories.add(history(rnd));
                answers.add(batcher.submit(histories.get(i), 5, Set.of()));
            }
            for (int i = 0; i < 10; i++) {
                assertEquals(reference.recommend(histories.get(i), 5, false, Set.of()), answers.get(i).get(30, TimeUnit.SECONDS));
            }
            batcher.withdraw();
            assertEquals(1, batcher.batches());
            assertEquals(10, batcher.queries());
        }
    }

    @Test
    void aLoneQueryIsNotHeldBackAndAFailedBatchFailsOnlyItself() throws Exception {
        try (Batcher batcher = new Batcher(new Recommender(model, new ScalarBackend()), 64, Duration.ofHours(1))) {
            int[] h = {3, 4, 5};
            // Nothing announced: answered at once, not after the hour (the get would time out first).
            assertEquals(reference.recommend(h, 4, true, Set.of(3, 4, 5)), batcher.submit(h, 4, Set.of(3, 4, 5)).get(30, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> batcher.submit(new int[] {0}, 4, Set.of()).get(30, TimeUnit.SECONDS));
            assertInstanceOf(IllegalArgumentException.class, e.getCause());
            assertEquals(reference.recommend(h, 2, false, Set.of()), batcher.submit(h, 2, Set.of()).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void closeAnswersWhatIsQueuedThenRejects() throws Exception {
        Batcher batcher = new Batcher(new Recommender(model, new ScalarBackend()), 4, Duration.ofMillis(1));
        List<CompletableFuture<List<Recommendation>>> queued = new ArrayList<>();
        for (int i = 1; i <= 9; i++) queued.add(batcher.submit(new int[] {i}, 3, Set.of()));
        batcher.close();
        for (int i = 1; i <= 9; i++) {
            assertEquals(reference.recommend(new int[] {i}, 3, false, Set.of()), queued.get(i - 1).getNow(null), "query " + i);
        }
        assertThrows(RejectedExecutionException.class, () -> batcher.submit(new int[] {1}, 3, Set.of()));
        batcher.close(); // idempotent
    }

    @Test
    void settingsAreChecked() {
        Recommender r = new Recommender(model, new ScalarBackend());
        assertThrows(IllegalArgumentException.class, () -> new Batcher(null, 4, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Batcher(r, 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new Batcher(r, 4, Duration.ofMillis(-1)));
    }
}
