package dev.lstmrec.spark;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The executor JVM's resident training states, one per (run, partition), built on a partition's first round here
 * and kept until the run releases them ({@link #release}, a small job at the end of training) or, for a run that
 * ended without reaching this executor's release (its tasks ran elsewhere), until another run finds it idle for
 * {@link #IDLE_MINUTES} minutes.
 */
final class ResidentTrainers {
    static final long IDLE_MINUTES = 10;
    private static final Map<String, ResidentTrainer> RESIDENT = new ConcurrentHashMap<>();

    private ResidentTrainers() {}

    private static String key(String runId, int partition) {
        return runId + "/" + partition;
    }

    /** The partition's resident state, built from {@code users} if this JVM has none; reports whether it was built. */
    static ResidentTrainer get(RunSpec spec, int partition, Iterator<UserSequence> users, long[] counts) {
        evictIdle(spec.runId());
        ResidentTrainer r = RESIDENT.computeIfAbsent(key(spec.runId(), partition), k -> ResidentTrainer.build(partition, spec, users, counts));
        r.lastUsed = System.nanoTime();
        return r;
    }

    /** Closes and forgets every resident state of the run in this JVM. */
    static void release(String runId) {
        RESIDENT.entrySet().removeIf(e -> {
            if (!e.getKey().startsWith(runId + "/")) return false;
            synchronized (e.getValue()) {
                e.getValue().close();
            }
            return true;
        });
    }

    private static void evictIdle(String keep) {
        long now = System.nanoTime();
        RESIDENT.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(keep + "/") || now - e.getValue().lastUsed < TimeUnit.MINUTES.toNanos(IDLE_MINUTES)) return false;
            synchronized (e.getValue()) {
                e.getValue().close();
            }
            return true;
        });
    }

    /** Resident states held in this JVM (tests). */
    static int size() {
        return RESIDENT.size();
    }

    /** Forgets one partition's state of a run as a lost executor would (tests). */
    static void drop(String runId, int partition) {
        ResidentTrainer r = RESIDENT.remove(key(runId, partition));
        if (r != null) {
            synchronized (r) {
                r.close();
            }
        }
    }
}
