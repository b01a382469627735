package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * How any task can rebuild the driver's state of the current round without the driver broadcasting it every round:
 * a base (the state at the start of round {@code baseRound}, broadcast once; none at the start of a new run, whose
 * state the executors compute from the seed) and the round deltas broadcast since. A task whose resident copy is
 * at round L within the chain applies the deltas after L; any other loads the base and applies them all. When the
 * deltas held add up to more than the full state, the driver rebases: one O(N) copy and broadcast per O(N) bytes of
 * deltas, so the cost stays proportional to what changed.
 */
final class StateChain {
    /** The state at the start of a round: weights and both moments in slab order (copies the driver never changes). */
    record Base(float[] w, float[] m, float[] v) implements Serializable {
        long bytes() {
            return 12L * w.length;
        }
    }

    /** The chain as tasks receive it (broadcast handles only: a task fetches what it needs). */
    record Lineage(Broadcast<Base> base, int baseRound, List<Broadcast<RoundDelta>> deltas) implements Serializable {
        RoundDelta current() {
            return deltas.get(deltas.size() - 1).value();
        }

        /** The round of the first delta held: the base's own round. */
        int firstRound() {
            return baseRound;
        }
    }

    private final JavaSparkContext jsc;
    private final long fullBytes;
    private Broadcast<Base> base;
    private int baseRound;
    private final List<Broadcast<RoundDelta>> deltas = new ArrayList<>();
    private long chainBytes;

    /**
     * @param start the state at the start of round {@code round} (copied), or null for a new run's initial state
     */
    StateChain(JavaSparkContext jsc, float[][] start, int round, long fullBytes, RoundMeter meter) {
        this.jsc = jsc;
        this.fullBytes = fullBytes;
        if (start != null) setBase(start, round, meter);
        else baseRound = round;
    }

    private void setBase(float[][] state, int round, RoundMeter meter) {
        Base b = new Base(state[0].clone(), state[1].clone(), state[2].clone());
        base = jsc.broadcast(b);
        baseRound = round;
        meter.baseBroadcast(b.bytes());
    }

    /**
     * Adds the delta of the next round, first rebasing on {@code state} (the driver's state at the start of that
     * round) when the deltas held outweigh the full state. Returns what the round's tasks receive.
     */
    Lineage next(RoundDelta delta, float[][] state, RoundMeter meter) {
        if (!deltas.isEmpty() && chainBytes + delta.bytes() > fullBytes) {
            destroy();
            setBase(state, delta.round(), meter);
        }
        deltas.add(jsc.broadcast(delta));
        chainBytes += delta.bytes();
        meter.deltaBroadcast(delta.bytes());
        return new Lineage(base, baseRound, List.copyOf(deltas));
    }

    /** Frees every broadcast held (on the driver and the executors). */
    void destroy() {
        if (base != null) base.destroy();
        base = null;
        for (Broadcast<RoundDelta> d : deltas) d.destroy();
        deltas.clear();
        chainBytes = 0;
    }
}
