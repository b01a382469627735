package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic of the training rounds, for the benchmarks, the cost model in docs/spark.md and the test that a round's
 * cost follows its change: bytes broadcast (round deltas; full states when the chain rebases), bytes the averaging
 * shuffle wrote (Spark's own task metrics, serialised and compressed as configured), floats the driver averaged into
 * its state, and what the tasks did with their resident states. Listener events arrive asynchronously, so shuffle
 * figures are read after the job.
 */
public final class RoundMeter implements Serializable {
    /**
     * One round: bytes of its delta broadcast and of a full state broadcast with it (0 unless the chain rebased), slices
     * and floats the driver averaged (of each of w and v, and of m: fewer where m is not shipped), floats the tasks moved
     * between their trainers and the host (w, m and v together), resident states built and full states loaded.
     */
    public record Round(long deltaBytes, long baseBytes, long slices, long driverFloats, long momentFloats, long taskFloats,
                        int builds, int fullLoads) implements Serializable {}

    private final transient AtomicLong shuffleBytes = new AtomicLong();
    private transient SparkListener listener;
    private final List<Round> rounds = new ArrayList<>();
    private long pendingDelta, pendingBase, initialBase;

    void register(JavaSparkContext jsc) {
        listener = new SparkListener() {
            @Override
            public void onTaskEnd(SparkListenerTaskEnd end) {
                if (end.taskMetrics() != null) shuffleBytes.addAndGet(end.taskMetrics().shuffleWriteMetrics().bytesWritten());
            }
        };
        jsc.sc().addSparkListener(listener);
    }

    void unregister(JavaSparkContext jsc) {
        if (listener != null) jsc.sc().removeSparkListener(listener);
    }

    void deltaBroadcast(long bytes) {
        pendingDelta += bytes;
    }

    void baseBroadcast(long bytes) {
        if (rounds.isEmpty() && pendingDelta == 0) initialBase += bytes;
        else pendingBase += bytes;
    }

    void endRound(long slices, long driverFloats, long momentFloats, SliceUpdate stats) {
        rounds.add(new Round(pendingDelta, pendingBase, slices, driverFloats, momentFloats, stats.stateFloats(), stats.builds(),
                stats.fullLoads()));
        pendingDelta = 0;
        pendingBase = 0;
    }

    /** Every round of this job, in order. */
    public List<Round> perRound() {
        return List.copyOf(rounds);
    }

    public long rounds() {
        return rounds.size();
    }

    /** Shuffle bytes written by all tasks of the run (training rounds and the user partitioning). */
    public long shuffleBytes() {
        return shuffleBytes.get();
    }

    /** Bytes broadcast for training: deltas, rebases and the job's starting state (a resumed job's checkpoint). */
    public long broadcastBytes() {
        long b = initialBase;
        for (Round r : rounds) b += r.deltaBytes() + r.baseBytes();
        return b;
    }

    /** The starting state's broadcast (0 for a new run: executors compute it from the seed). */
    public long initialBroadcastBytes() {
        return initialBase;
    }

    /**
     * The largest delta of any round: what every executor fetches per round. A rebase's base is written once on the
     * driver and fetched only by a task that rebuilds its state.
     */
    public long maxDeltaBytes() {
        long max = 0;
        for (Round r : rounds) max = Math.max(max, r.deltaBytes());
        return max;
    }

    /** Bytes of all deltas (what each executor fetched, at most). */
    public long deltaBytes() {
        long b = 0;
        for (Round r : rounds) b += r.deltaBytes();
        return b;
    }

    /** Bytes of averaged slices the driver received and wrote (4 per float of w, m and v). */
    public long collectedBytes() {
        long f = 0;
        for (Round r : rounds) f += 2 * r.driverFloats() + r.momentFloats();
        return 4 * f;
    }

    public long slicesCollected() {
        long s = 0;
        for (Round r : rounds) s += r.slices();
        return s;
    }
}
