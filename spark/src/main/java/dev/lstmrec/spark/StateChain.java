package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.List;

/**
 * How a task whose resident copy is not at the previous round gets back to the driver's state without the driver
 * broadcasting the full state every round, or every few rounds: the round deltas broadcast lately (a copy a few rounds
 * behind applies those it missed) and, when it still covers the run from its start, a base (the state at the start of
 * round {@code baseRound}; none at the start of a new run, whose state the executors compute from the seed). The
 * deltas held are bounded by {@code budget} bytes: the oldest are dropped (and with the first of them the base), never
 * replaced by a copy of the state. A task the chain cannot bring back asks for the state ({@link RoundTask}), and only
 * then does the driver copy and broadcast it ({@link #rebase}): O(N) work happens when a resident state is lost, not
 * per round.
 */
final class StateChain {
    /** The state at the start of a round: weights and both moments in slab order (copies the driver never changes). */
    record Base(float[] w, float[] m, float[] v) implements Serializable {
        long bytes() {
            return 12L * w.length;
        }
    }

    /**
     * The chain as tasks receive it (broadcast handles only: a task fetches what it needs). {@code complete}: the base
     * (or, when it is null, the run's initial state from the seed) and the deltas give the current round's state.
     */
    record Lineage(Broadcast<Base> base, int baseRound, boolean complete, List<Broadcast<RoundDelta>> deltas) implements Serializable {
        RoundDelta current() {
            return deltas.get(deltas.size() - 1).value();
        }

        /** The round of the oldest delta held: a copy at round {@code firstRound() - 1} or later can catch up. */
        int firstRound() {
            return deltas.get(0).value().round();
        }
    }

    private final JavaSparkContext jsc;
    private final long budget;
    private Broadcast<Base> base;
    private int baseRound;
    private boolean complete;
    private final ArrayDeque<Broadcast<RoundDelta>> deltas = new ArrayDeque<>();
    private final ArrayDeque<Long> deltaBytes = new ArrayDeque<>();
    private long chainBytes;

    /**
     * @param start  the state at the start of round {@code round} (copied), or null for a new run's initial state
     * @param budget bytes of deltas kept for copies that fell behind
     */
    StateChain(JavaSparkContext jsc, float[][] start, int round, long budget, RoundMeter meter) {
        this.jsc = jsc;
        this.budget = budget;
        if (start != null) setBase(start, round, meter);
        baseRound = round;
        complete = true;
    }

    private void setBase(float[][] state, int round, RoundMeter meter) {
        Base b = new Base(state[0].clone(), state[1].clone(), state[2].clone());
        base = jsc.broadcast(b);
        baseRound = round;
        complete = true;
        meter.baseBroadcast(b.bytes());
    }

    /**
     * Adds the delta of the next round, dropping the oldest deltas (and then the base) beyond the budget. Returns what
     * the round's tasks receive.
     */
    Lineage next(RoundDelta delta, RoundMeter meter) {
        Broadcast<RoundDelta> b = jsc.broadcast(delta);
        deltas.addLast(b);
        deltaBytes.addLast(delta.bytes());
        chainBytes += delta.bytes();
        meter.deltaBroadcast(delta.bytes());
        while (deltas.size() > 1 && chainBytes > budget) {
            deltas.removeFirst().destroy();
            chainBytes -= deltaBytes.removeFirst();
            complete = false;
            if (base != null) base.destroy();
            base = null;
        }
        return lineage();
    }

    /**
     * The current round again, for the tasks the chain could not bring back: {@code state} (the driver's state at the
     * start of the current round) becomes the base, the older deltas are dropped. One O(N) copy and broadcast, made
     * only because a task needs it.
     */
    Lineage rebase(float[][] state, RoundMeter meter) {
        Broadcast<RoundDelta> current = deltas.removeLast();
        long currentBytes = deltaBytes.removeLast();
        for (Broadcast<RoundDelta> d : deltas) d.destroy();
        deltas.clear();
        deltaBytes.clear();
        if (base != null) base.destroy();
        setBase(state, current.value().round(), meter);
        deltas.addLast(current);
        deltaBytes.addLast(currentBytes);
        chainBytes = currentBytes;
        return lineage();
    }

    private Lineage lineage() {
        return new Lineage(base, baseRound, complete, List.copyOf(deltas));
    }

    /** Frees every broadcast held (on the driver and the executors). */
    void destroy() {
        if (base != null) base.destroy();
        base = null;
        for (Broadcast<RoundDelta> d : deltas) d.destroy();
        deltas.clear();
        deltaBytes.clear();
        chainBytes = 0;
    }
}
