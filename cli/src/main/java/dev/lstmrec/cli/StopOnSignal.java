package dev.lstmrec.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) or SIGTERM during training: a shutdown hook asks the trainer to stop after the current batch and
 * then waits (up to two minutes) until the command has saved its checkpoint and closed, so the JVM never exits
 * half-way through writing a file.
 */
final class StopOnSignal implements AutoCloseable {
    private final AtomicBoolean requested = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread hook;

    private StopOnSignal() {
        hook = new Thread(() -> {
            requested.set(true);
            System.err.println();
            System.err.println("lstmrec: stop requested; finishing the current batch and saving a checkpoint...");
            try {
                finished.await(2, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "lstmrec-stop");
    }

    static StopOnSignal install() {
        StopOnSignal s = new StopOnSignal();
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    boolean requested() {
        return requested.get();
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // The JVM is already exiting because of the signal: the hook is running and now returns.
        }
    }
}
