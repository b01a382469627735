package dev.lstmrec.engine.tune;

// A deterministic, instant objective for the tuner's tests: the score of a configuration rises with the epochs
// towards a ceiling set by its learning rate (best near lr = 0.004), and every epoch advances a fake clock by a
// fixed number of seconds. It keeps each trial's "training state" (epochs done) itself, so a test can see that a
// promotion continues a trial rather than restarting it, and it can be told to crash after some epochs.

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

class FakeObjective implements Objective {
    final AtomicLong clock;
    final double secondsPerEpoch;
    /** Epochs each trial has trained, as its saved state would say. */
    final Map<Integer, Integer> saved = new HashMap<>();
    /** Every job run: "id:from->to". */
    final List<String> jobs = new ArrayList<>();
    final List<Integer> discarded = new ArrayList<>();
    int crashAfterEpochs = -1;
    int epochsRun;
    int stopEarlyAt = Integer.MAX_VALUE;

    FakeObjective(AtomicLong clock, double secondsPerEpoch) {
        this.clock = clock;
        this.secondsPerEpoch = secondsPerEpoch;
    }

    static double ceiling(Map<String, String> config) {
        double lr = Double.parseDouble(config.get("lr"));
        return 0.2 - 10 * Math.abs(Math.log10(lr / 0.004)) * 0.01;
    }

    static double score(Map<String, String> config, int epochs) {
        return ceiling(config) * (1 - Math.exp(-epochs / 4.0));
    }

    @Override
    public Outcome advance(Trial trial, int toEpoch, Progress progress) {
        int from = saved.getOrDefault(trial.id(), 0);
        if (from != trial.epochs() && !(from > trial.epochs())) throw new AssertionError("trial " + trial.id() + " restarted");
        jobs.add(trial.id() + ":" + from + "->" + toEpoch);
        int e = from;
        while (e < toEpoch) {
            if (crashAfterEpochs >= 0 && epochsRun >= crashAfterEpochs) throw new IllegalStateException("simulated crash");
            e++;
            epochsRun++;
            clock.addAndGet((long) (secondsPerEpoch * 1e9));
            saved.put(trial.id(), e); // the per-epoch checkpoint
            progress.onEpoch(e, score(trial.config(), e), secondsPerEpoch);
            if (e >= stopEarlyAt) return new Outcome(score(trial.config(), e), e, e, true);
        }
        return new Outcome(score(trial.config(), e), e, e, false);
    }

    @Override
    public void discard(Trial trial) {
        discarded.add(trial.id());
    }
}
