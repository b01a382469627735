package dev.lstmrec.serve;

import java.time.Duration;

/**
 * How every served model scores, the first and each one swapped in: its batcher's batch size and straggler wait, and
 * the bound on its per-user carried LSTM states ({@code Recommender.setStateCacheBytes}; 0 keeps none).
 */
record ScoringSettings(int maxBatch, Duration maxWait, long stateCacheBytes) {}
