package dev.lstmrec.engine.api;

import java.util.List;

/**
 * Why an item was recommended ({@link Recommender#explain}): the history items whose removal from the sequence the
 * model reads lowers the item's score most (occlusion), most first.
 *
 * @param recommendation the explained item
 * @param contributions  up to the requested number, largest drop first; only removals that lower the score
 */
public record Explanation(Recommendation recommendation, List<Contribution> contributions) {
    /**
     * One history item's share of a recommended item's score.
     *
     * @param position index of the item in the history (0-based)
     * @param itemId   its external id
     * @param item     its internal index
     * @param drop     score(window) - score(window without this position), both from the same forward pass; positive
     */
    public record Contribution(int position, String itemId, int item, float drop) {}
}
