package dev.lstmrec.serve;

// One model as the server serves it: the Recommender, the Batcher that owns it, the live histories over its stored
// ones, its lineage and when it was loaded. Reference-counted so that a hot swap never closes a model under a request:
// each request retains the model it started with and releases it when answered; the swap drops the server's own
// reference, and whoever releases last closes the batcher (which scores what is queued first) and the recommender.
// Checked by HotSwapTest (swaps under concurrent requests: no request fails, the old model is closed once idle).

import dev.lstmrec.engine.api.Batcher;
import dev.lstmrec.engine.api.Lineage;
import dev.lstmrec.engine.api.Recommender;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A served model with its batcher and live histories; closed when the last request using it is done. */
final class ServingModel {
    final Recommender recommender;
    final Batcher batcher;
    final LiveHistories histories;
    final Lineage lineage;
    final String file;
    final Instant loadedAt;
    private final boolean ownsRecommender;
    private final Consumer<ServingModel> onClose;
    /** 1 for the server's own reference while current, plus one per request using it; 0 once closed. */
    private final AtomicInteger refs = new AtomicInteger(1);

    ServingModel(Recommender recommender, boolean ownsRecommender, LiveHistories histories, String file,
                 ScoringSettings scoring, Consumer<ServingModel> onClose) {
        this.recommender = recommender;
        this.ownsRecommender = ownsRecommender;
        this.histories = histories;
        this.lineage = Lineage.of(recommender.model());
        this.file = file;
        this.loadedAt = Instant.now();
        this.onClose = onClose;
        recommender.setStateCacheBytes(scoring.stateCacheBytes()); // states start empty: recomputed under these weights
        this.batcher = new Batcher(recommender, scoring.maxBatch(), scoring.maxWait());
    }

    /** Takes a reference unless the model was already closed (then the caller reads the current model again). */
    boolean retain() {
        for (int r = refs.get(); r > 0; r = refs.get()) {
            if (refs.compareAndSet(r, r + 1)) return true;
        }
        return false;
    }

    /** Drops a reference; the last one closes the batcher (after scoring what is queued) and the recommender. */
    void release() {
        if (refs.decrementAndGet() == 0) {
            batcher.close();
            if (ownsRecommender) recommender.close();
            onClose.accept(this);
        }
    }

    /** Whether it was closed (for tests). */
    boolean closed() {
        return refs.get() == 0;
    }
}
