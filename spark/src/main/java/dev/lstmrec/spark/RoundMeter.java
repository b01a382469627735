package dev.lstmrec.spark;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple2;

import java.io.Serializable;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Traffic of the training rounds, for the benchmarks and the cost model in docs/spark.md: bytes broadcast (the
 * state's arrays), bytes the averaging shuffle wrote (Spark's own task metrics, serialised and compressed as
 * configured), and floats the driver received back. Listener events arrive asynchronously, so shuffle figures are
 * read after the job.
 */
public final class RoundMeter implements Serializable {
    private final transient AtomicLong shuffleBytes = new AtomicLong();
    private transient SparkListener listener;
    private long rounds, broadcastBytes, collectedFloats, slicesCollected;

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

    void startRound(long bytes) {
        rounds++;
        broadcastBytes += bytes;
    }

    void endRound(List<Tuple2<Integer, float[][]>> averaged, ParameterSlices slices) {
        slicesCollected += averaged.size();
        for (Tuple2<Integer, float[][]> t : averaged) collectedFloats += 3L * slices.length(t._1());
    }

    public long rounds() {
        return rounds;
    }

    /** Shuffle bytes written by all tasks of the run (training rounds and the user partitioning). */
    public long shuffleBytes() {
        return shuffleBytes.get();
    }

    public long broadcastBytes() {
        return broadcastBytes;
    }

    /** Bytes of averaged slices the driver received (4 per float). */
    public long collectedBytes() {
        return 4 * collectedFloats;
    }

    public long slicesCollected() {
        return slicesCollected;
    }
}
