package dev.lstmrec.kernels.simd;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The backend's own fixed set of worker threads (never the common pool). {@link #run} hands part 0 to the caller
 * and parts 1.. to the workers, then waits. Workers and the caller spin briefly before parking, so back-to-back
 * kernels (one LSTM step after another) do not pay a full park/unpark each time, yet an idle backend burns no CPU.
 * Not reentrant: one {@code run} at a time, which the single-threaded Backend contract guarantees.
 */
final class WorkerPool implements AutoCloseable {
    /** One slice of a parallel kernel. */
    interface Task {
        void run(int part);
    }

    private static final int SPINS = 2000;

    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile int parts;
    private volatile int generation;
    private volatile boolean closed;
    private volatile Throwable failure;
    private volatile Thread caller;

    WorkerPool(int threads) {
        workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** Number of parts a task may be split into (threads including the caller). */
    int size() {
        return workers.length + 1;
    }

    /** Runs {@code task.run(p)} for p in [0, parts) across the pool and returns when all are done. */
    void run(int parts, Task t) {
        if (parts <= 1 || workers.length == 0) {
            for (int p = 0; p < parts; p++) t.run(p);
            return;
        }
        if (parts > size()) throw new IllegalArgumentException("parts " + parts + " > threads " + size());
        if (closed) throw new IllegalStateException("backend is closed");
        caller = Thread.currentThread();
        failure = null;
        task = t;
        this.parts = parts;
        pending.set(parts - 1);
        generation++;
        for (int i = 0; i < parts - 1; i++) LockSupport.unpark(workers[i]);
        Throwable own = null;
        try {
            t.run(0);
        } catch (Throwable e) {
            own = e;
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (spins++ < SPINS) Thread.onSpinWait();
            else LockSupport.park(this);
        }
        task = null;
        Throwable f = own != null ? own : failure;
        if (f instanceof RuntimeException re) throw re;
        if (f instanceof Error err) throw err;
        if (f != null) throw new IllegalStateException(f);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    private final class Worker extends Thread {
        private final int index;

        Worker(int index) {
            super("lstmrec-simd-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override
        public void run() {
            int seen = 0;
            while (true) {
                int spins = 0;
                while (generation == seen && !closed) {
                    if (spins++ < SPINS) Thread.onSpinWait();
                    else LockSupport.park(this);
                }
                if (closed) return;
                seen = generation;
                if (index >= parts) continue;
                try {
                    task.run(index);
                } catch (Throwable e) {
                    failure = e;
                } finally {
                    if (pending.decrementAndGet() == 0) LockSupport.unpark(caller);
                }
            }
        }
    }
}
