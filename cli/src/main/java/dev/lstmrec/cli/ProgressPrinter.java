package dev.lstmrec.cli;

import dev.lstmrec.engine.train.EpochResult;
import dev.lstmrec.engine.train.TrainingListener;

import java.io.PrintStream;

/**
 * Renders training progress on stderr: on a terminal one self-overwriting line per batch, otherwise (logs, CI) a
 * line at most every 10 seconds; always one summary line per epoch.
 */
final class ProgressPrinter implements TrainingListener {
    private final PrintStream err;
    private final boolean terminal;
    private final int maxEpochs;
    private long lastPrint;
    private boolean dirty;

    ProgressPrinter(PrintStream err, boolean terminal, int maxEpochs) {
        this.err = err;
        this.terminal = terminal;
        this.maxEpochs = maxEpochs;
    }

    @Override
    public void onBatch(int epoch, int batch, int batches, double meanLoss, double tokensPerSec, double etaSeconds) {
        long now = System.nanoTime();
        if (!terminal && now - lastPrint < 10_000_000_000L) return;
        lastPrint = now;
        String line = String.format("epoch %d/%d  batch %d/%d  loss %.4f  %,.0f tokens/s  ETA %s",
                epoch, maxEpochs, batch, batches, meanLoss, tokensPerSec, duration(etaSeconds));
        if (terminal) {
            err.print("\r" + line + "   ");
            dirty = true;
        } else {
            err.println(line);
        }
        err.flush();
    }

    @Override
    public void onEpoch(EpochResult r) {
        if (dirty) err.print("\r");
        dirty = false;
        err.println(String.format("epoch %3d  loss %.4f  valid %s  %.1fs (%,.0f tokens/s) + eval %.1fs%s",
                r.epoch(), r.loss(), r.validation().summary(10), r.seconds(), r.tokensPerSecond(), r.validSeconds(),
                r.improved() ? "  *best" : ""));
        err.flush();
    }

    @Override
    public void onMessage(String message) {
        if (dirty) err.println();
        dirty = false;
        err.println("lstmrec: " + message);
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s >= 60 ? (s / 60) + "m" + String.format("%02d", s % 60) + "s" : s + "s";
    }
}
