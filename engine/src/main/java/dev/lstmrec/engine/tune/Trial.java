package dev.lstmrec.engine.tune;

// One configuration under evaluation and how far it got. Mutable, owned by the Tuner; persisted in TuneState.

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A trial: its configuration, epochs trained, the validation score at each rung it reached, and its status. */
public final class Trial {
    final int id;
    final Map<String, String> config;
    int epochs;
    double best = Double.NEGATIVE_INFINITY;
    int bestEpoch;
    double seconds;
    boolean finished;
    String failure;
    /** Its saved training state was deleted (finished, and behind the leader for good). */
    boolean discarded;
    /** The score (best validation NDCG@10 so far) recorded when the trial reached rung k. */
    final List<Double> rungScores = new ArrayList<>();

    Trial(int id, Map<String, String> config) {
        this.id = id;
        this.config = new LinkedHashMap<>(config);
    }

    /** 1-based trial number. */
    public int id() {
        return id;
    }

    /** Option name to value text (the sampled part only). */
    public Map<String, String> config() {
        return new LinkedHashMap<>(config);
    }

    /** Epochs trained so far. */
    public int epochs() {
        return epochs;
    }

    /** Best validation score so far (negative infinity before the first epoch or after a failure). */
    public double best() {
        return best;
    }

    /** The epoch that gave {@link #best()}. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** Training seconds spent on this trial. */
    public double seconds() {
        return seconds;
    }

    /** True when the trial trained to the end (the last rung, or early stopping) and can be trained no further. */
    public boolean finished() {
        return finished;
    }

    /** Why the trial failed (e.g. the loss diverged), or null. */
    public String failure() {
        return failure;
    }

    /** Highest rung index reached; -1 before the first. */
    public int rung() {
        return rungScores.size() - 1;
    }

    /** Seconds per epoch so far, or NaN before the first epoch. */
    double secondsPerEpoch() {
        return epochs > 0 ? seconds / epochs : Double.NaN;
    }

    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        m.put("config", config);
        m.put("epochs", epochs);
        m.put("best", Double.isFinite(best) ? best : null);
        m.put("best_epoch", bestEpoch);
        m.put("seconds", seconds);
        m.put("finished", finished);
        m.put("failure", failure);
        m.put("discarded", discarded);
        m.put("rung_scores", rungScores);
        return m;
    }

    @SuppressWarnings("unchecked")
    static Trial fromJson(Map<String, Object> m) {
        Map<String, String> config = new LinkedHashMap<>();
        ((Map<String, Object>) m.get("config")).forEach((k, v) -> config.put(k, (String) v));
        Trial t = new Trial(((Number) m.get("id")).intValue(), config);
        t.epochs = ((Number) m.get("epochs")).intValue();
        t.best = m.get("best") == null ? Double.NEGATIVE_INFINITY : ((Number) m.get("best")).doubleValue();
        t.bestEpoch = ((Number) m.get("best_epoch")).intValue();
        t.seconds = ((Number) m.get("seconds")).doubleValue();
        t.finished = (Boolean) m.get("finished");
        t.failure = (String) m.get("failure");
        t.discarded = (Boolean) m.get("discarded");
        for (Object o : (List<Object>) m.get("rung_scores")) t.rungScores.add(((Number) o).doubleValue());
        return t;
    }
}
