package dev.lstmrec.engine.data;

/**
 * Parameters of {@link SyntheticData}: a topic-structured sparse Markov chain over items plus a Zipf popularity
 * layer. The defaults give about 2,000 users, 800 items and 80,000 interactions, cheap enough for an epoch in tests.
 *
 * @param numUsers          number of users (sequences)
 * @param numItems          number of items; at least {@code maxLength}, since nobody consumes an item twice
 * @param numTopics         items are split into this many topics of about equal size
 * @param minLength         shortest sequence, inclusive
 * @param maxLength         longest sequence, inclusive
 * @param successors        strong successor items per item
 * @param successorProb     chance that the next item is a successor of the current one (when the topic stays)
 * @param stayProb          chance that the user stays with the current topic at a step
 * @param inTopicSuccessors chance that each successor is drawn from the item's own topic
 * @param zipfExponent      exponent s of the global popularity weights 1 / rank^s
 * @param seed              the only source of randomness
 */
public record SyntheticConfig(int numUsers, int numItems, int numTopics, int minLength, int maxLength, int successors,
                              double successorProb, double stayProb, double inTopicSuccessors, double zipfExponent,
                              long seed) {

    public SyntheticConfig {
        if (numUsers < 1) throw new IllegalArgumentException("numUsers must be positive: " + numUsers);
        if (minLength < 1 || maxLength < minLength) {
            throw new IllegalArgumentException("lengths must satisfy 1 <= minLength <= maxLength: " + minLength + ", " + maxLength);
        }
        if (numItems < maxLength || numItems < 2) {
            throw new IllegalArgumentException("numItems (" + numItems + ") must be at least maxLength (" + maxLength
                    + ") and 2: no user consumes an item twice");
        }
        if (numTopics < 1 || numTopics > numItems / 2) {
            throw new IllegalArgumentException("numTopics must be in 1.." + numItems / 2 + ": " + numTopics);
        }
        if (successors < 1 || successors >= numItems / numTopics) {
            throw new IllegalArgumentException("successors must be in 1.." + (numItems / numTopics - 1) + ": " + successors);
        }
        checkProbability("successorProb", successorProb);
        checkProbability("stayProb", stayProb);
        checkProbability("inTopicSuccessors", inTopicSuccessors);
        if (!(zipfExponent >= 0) || Double.isInfinite(zipfExponent)) {
            throw new IllegalArgumentException("zipfExponent must be finite and >= 0: " + zipfExponent);
        }
    }

    private static void checkProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(name + " must be in [0, 1]: " + p);
    }

    /** 2,000 users, 800 items in 20 topics, lengths 20..60, 3 successors, 0.6 / 0.85 / 0.9, Zipf 1.0, seed 42. */
    public static SyntheticConfig defaults() {
        return new SyntheticConfig(2000, 800, 20, 20, 60, 3, 0.6, 0.85, 0.9, 1.0, 42L);
    }

    public SyntheticConfig withSeed(long newSeed) {
        return new SyntheticConfig(numUsers, numItems, numTopics, minLength, maxLength, successors, successorProb,
                stayProb, inTopicSuccessors, zipfExponent, newSeed);
    }

    /** The same structure at another size (users, items, topics). */
    public SyntheticConfig withSize(int users, int items, int topics) {
        return new SyntheticConfig(users, items, topics, minLength, maxLength, successors, successorProb, stayProb,
                inTopicSuccessors, zipfExponent, seed);
    }

    public SyntheticConfig withLengths(int min, int max) {
        return new SyntheticConfig(numUsers, numItems, numTopics, min, max, successors, successorProb, stayProb,
                inTopicSuccessors, zipfExponent, seed);
    }
}
