package dev.lstmrec.engine.api;

/**
 * One recommended item.
 *
 * @param itemId external item id
 * @param item   internal index 1..N
 * @param score  the model's score (logit); higher is better
 */
public record Recommendation(String itemId, int item, float score) {}
