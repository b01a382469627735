package dev.lstmrec.engine.tune;

// The tuner's crash-safe state: everything needed to continue a search exactly (trials with their rung scores,
// the job in progress, seconds spent, whether the search phase is over), as one JSON file written atomically after
// every job. The trials' training states live beside it, one checkpoint directory per trial (TrainingObjective).

import dev.lstmrec.engine.io.AtomicFiles;
import dev.lstmrec.engine.io.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The persisted progress of a search. */
public final class TuneState {
    static final int VERSION = 1;

    final String fingerprint;
    final List<Trial> trials = new ArrayList<>();
    /** The trial whose job was running when the state was saved (re-run first on resume), or 0. */
    int pendingTrial;
    int pendingTarget;
    double spentSeconds;
    boolean searchDone;

    TuneState(String fingerprint) {
        this.fingerprint = fingerprint;
    }

    public List<Trial> trials() {
        return List.copyOf(trials);
    }

    public double spentSeconds() {
        return spentSeconds;
    }

    String toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("lstmrec_tune_state", VERSION);
        m.put("fingerprint", fingerprint);
        m.put("spent_seconds", spentSeconds);
        m.put("search_done", searchDone);
        m.put("pending_trial", pendingTrial);
        m.put("pending_target", pendingTarget);
        List<Object> ts = new ArrayList<>();
        for (Trial t : trials) ts.add(t.toJson());
        m.put("trials", ts);
        return Json.writePretty(m) + "\n";
    }

    void save(Path file) throws IOException {
        AtomicFiles.writeString(file, toJson());
    }

    /**
     * Reads a state file written by {@link #save}; null when there is none.
     *
     * @throws IOException when it exists but cannot be read, is damaged, or belongs to a different search
     */
    @SuppressWarnings("unchecked")
    static TuneState load(Path file, String fingerprint) throws IOException {
        if (!Files.exists(file)) return null;
        Map<String, Object> m;
        try {
            m = Json.parseObject(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException | dev.lstmrec.engine.io.JsonException | java.nio.charset.MalformedInputException e) {
            throw new IOException(file + ": damaged tune state (" + e.getMessage() + "); delete it to start the search again", e);
        }
        if (!(m.get("lstmrec_tune_state") instanceof Number v) || v.intValue() != VERSION) {
            throw new IOException(file + ": not a tune state file of version " + VERSION);
        }
        if (!fingerprint.equals(m.get("fingerprint"))) {
            throw new IOException(file + ": this state belongs to a search with other data or settings (" + m.get("fingerprint")
                    + "); use another --work-dir, or the same arguments as that search");
        }
        try {
            TuneState s = new TuneState(fingerprint);
            s.spentSeconds = ((Number) m.get("spent_seconds")).doubleValue();
            s.searchDone = (Boolean) m.get("search_done");
            s.pendingTrial = ((Number) m.get("pending_trial")).intValue();
            s.pendingTarget = ((Number) m.get("pending_target")).intValue();
            for (Object o : (List<Object>) m.get("trials")) s.trials.add(Trial.fromJson((Map<String, Object>) o));
            return s;
        } catch (ClassCastException | NullPointerException e) {
            throw new IOException(file + ": damaged tune state (a field is missing or has the wrong type)", e);
        }
    }
}
