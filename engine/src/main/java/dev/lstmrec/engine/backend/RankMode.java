package dev.lstmrec.engine.backend;

/** How {@link Backend#scoreRank} reads its per-row index list. */
public enum RankMode {
    /** Rank against every output index except those listed (full ranking, seen items removed). */
    EXCLUDE,
    /** Rank against the listed indices only (sampled-negatives protocol). */
    CANDIDATES
}
