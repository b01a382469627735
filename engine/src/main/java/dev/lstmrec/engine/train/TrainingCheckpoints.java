package dev.lstmrec.engine.train;

import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.io.Checkpoint;
import dev.lstmrec.engine.io.CheckpointFile;
import dev.lstmrec.engine.io.CheckpointFormatException;
import dev.lstmrec.engine.io.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Training-state files in a checkpoint directory: {@code state-<step>.lstmrec-state}, in the checkpoint container
 * (docs/checkpoint-format.md), written atomically. A directory holds one run: a new run refuses a directory that is
 * not empty ({@link #requireUnused}). After each write the file just written and the newest older one are kept and
 * every other state file is deleted (also higher-step ones: those were skipped as unusable when the run resumed), so
 * a crash while writing always leaves a complete older file and the newest file of the run is never deleted.
 * Reading takes the newest file that passes every check and reports any newer one it had to skip.
 */
public final class TrainingCheckpoints {
    public static final String KIND = "lstmrec-training-state";
    private static final Pattern NAME = Pattern.compile("state-(\\d+)\\.lstmrec-state");

    private TrainingCheckpoints() {}

    /**
     * A state read back, with the file it came from, the newer files that were unusable (with why), the run
     * configuration stored with it (JSON, see {@code RunConfig}; null in files written before it was stored) and the
     * fingerprint of the data and settings it was made for.
     */
    public record Loaded(TrainingState state, Path file, List<String> skipped, String runConfig, String fingerprint) {
        /**
         * @throws CheckpointFormatException when the state was made for other data or settings than {@code expected}
         */
        public void requireFingerprint(String expected) throws CheckpointFormatException {
            requireFingerprint(expected::equals);
        }

        /** As {@link #requireFingerprint(String)}, for a rule that also takes older forms of the expected fingerprint. */
        public void requireFingerprint(java.util.function.Predicate<String> accepts) throws CheckpointFormatException {
            if (!accepts.test(fingerprint)) {
                throw new CheckpointFormatException(file.toString(), "made for other data or settings (the data file changed, or "
                        + (runConfig == null ? "the settings given differ from the run's" : "it was written by another run") + ")");
            }
        }
    }

    static Path write(Path dir, TrainingState s, String fingerprint, String runConfig) throws IOException {
        Files.createDirectories(dir);
        Checkpoint.Builder b = Checkpoint.builder()
                .meta("kind", KIND)
                .meta("fingerprint", fingerprint)
                .meta("epoch", Integer.toString(s.epoch))
                .meta("next_batch", Integer.toString(s.nextBatch))
                .meta("epoch_loss", Double.toString(s.epochLoss))
                .meta("epoch_tokens", Long.toString(s.epochTokens))
                .meta("epoch_seconds", Double.toString(s.epochSeconds))
                .meta("step", Integer.toString(s.step))
                .meta("best_score", Double.toString(s.bestScore))
                .meta("best_epoch", Integer.toString(s.bestEpoch))
                .meta("since_best", Integer.toString(s.sinceBest))
                .meta("history", Json.write(history(s.history)));
        if (runConfig != null) b.meta("run_config", runConfig);
        b.floats("weights", s.weights).floats("adam.m", s.adamM).floats("adam.v", s.adamV);
        if (s.best != null) b.floats("best", s.best);
        Path file = dir.resolve(String.format("state-%010d.lstmrec-state", s.step));
        CheckpointFile.write(file, b.build());
        prune(dir, file);
        return file;
    }

    /** Keeps {@code kept} and the newest state file older than it; deletes every other state file in {@code dir}. */
    static void prune(Path dir, Path kept) throws IOException {
        long step = stepOf(kept);
        Path previous = null;
        for (Path p : list(dir)) if (stepOf(p) < step) previous = p;
        for (Path p : list(dir)) {
            if (!p.getFileName().equals(kept.getFileName()) && !p.equals(previous)) Files.deleteIfExists(p);
        }
    }

    /** State files in {@code dir}, oldest first. */
    static List<Path> list(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> NAME.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparingLong(TrainingCheckpoints::stepOf)).toList();
        }
    }

    private static long stepOf(Path p) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Checks that a new run may write its state to {@code dir}: the directory is absent or empty.
     *
     * @throws CheckpointDirectoryInUseException naming the directory and what it holds
     */
    public static void requireUnused(Path dir) throws IOException {
        List<String> held = entries(dir);
        if (!held.isEmpty()) throw new CheckpointDirectoryInUseException(dir, held);
    }

    /** {@code dir} when absent or empty, else the first of {@code dir-2}, {@code dir-3}, ... that is. */
    public static Path unusedDirectory(Path dir) throws IOException {
        Path d = dir;
        for (int i = 2; !entries(d).isEmpty(); i++) d = dir.resolveSibling(dir.getFileName() + "-" + i);
        return d;
    }

    private static List<String> entries(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            if (Files.exists(dir)) throw new IOException(dir + ": not a directory");
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The newest usable state in {@code dir}; a newer file that fails a check (truncated, corrupted, foreign) is
     * skipped and reported in {@link Loaded#skipped()}.
     *
     * @throws IOException naming the directory when it holds no usable state, with the reason for each file
     */
    public static Loaded readLatest(Path dir) throws IOException {
        List<Path> files = new ArrayList<>(list(dir));
        if (files.isEmpty()) throw new IOException(dir + ": no training checkpoint (state-*.lstmrec-state) to resume from");
        List<String> skipped = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path f = files.get(i);
            try {
                return read(f, skipped);
            } catch (CheckpointFormatException e) {
                skipped.add(e.getMessage());
            }
        }
        throw new IOException(dir + ": no usable training checkpoint: " + String.join("; ", skipped));
    }

    static Loaded read(Path file, List<String> skipped) throws IOException {
        Checkpoint c = CheckpointFile.read(file);
        String src = file.toString();
        if (!KIND.equals(c.meta().get("kind"))) throw new CheckpointFormatException(src, "not a training checkpoint");
        String fingerprint = c.requireMeta("fingerprint");
        String runConfig = c.meta().get("run_config");
        TrainingState s = new TrainingState();
        try {
            s.epoch = Integer.parseInt(c.requireMeta("epoch"));
            s.nextBatch = Integer.parseInt(c.requireMeta("next_batch"));
            s.epochLoss = Double.parseDouble(c.requireMeta("epoch_loss"));
            s.epochTokens = Long.parseLong(c.requireMeta("epoch_tokens"));
            s.epochSeconds = Double.parseDouble(c.requireMeta("epoch_seconds"));
            s.step = Integer.parseInt(c.requireMeta("step"));
            s.bestScore = Double.parseDouble(c.requireMeta("best_score"));
            s.bestEpoch = Integer.parseInt(c.requireMeta("best_epoch"));
            s.sinceBest = Integer.parseInt(c.requireMeta("since_best"));
            for (Object o : (List<?>) Json.parse(c.requireMeta("history"))) s.history.add(epoch((Map<?, ?>) o));
        } catch (RuntimeException e) {
            throw new CheckpointFormatException(src, "invalid training state: " + e.getMessage());
        }
        s.weights = c.requireFloats("weights");
        s.adamM = c.requireFloats("adam.m");
        s.adamV = c.requireFloats("adam.v");
        s.best = c.floats().get("best");
        int n = s.weights.length;
        if (s.adamM.length != n || s.adamV.length != n || (s.best != null && s.best.length != n)) {
            throw new CheckpointFormatException(src, "tensor sizes disagree");
        }
        return new Loaded(s, file, List.copyOf(skipped), runConfig, fingerprint);
    }

    private static List<Object> history(List<EpochResult> epochs) {
        List<Object> out = new ArrayList<>();
        for (EpochResult e : epochs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("epoch", e.epoch());
            m.put("loss", e.loss());
            m.put("seconds", e.seconds());
            m.put("tokens", e.tokens());
            m.put("valid_seconds", e.validSeconds());
            m.put("improved", e.improved());
            m.put("cases", e.validation().cases());
            m.put("validation", new LinkedHashMap<>(e.validation().asMap()));
            out.add(m);
        }
        return out;
    }

    private static EpochResult epoch(Map<?, ?> m) {
        Map<String, Double> v = new LinkedHashMap<>();
        ((Map<?, ?>) m.get("validation")).forEach((k, x) -> v.put((String) k, ((Number) x).doubleValue()));
        return new EpochResult(((Number) m.get("epoch")).intValue(), ((Number) m.get("loss")).doubleValue(),
                ((Number) m.get("seconds")).doubleValue(), ((Number) m.get("tokens")).longValue(),
                Metrics.of(v, ((Number) m.get("cases")).intValue()), ((Number) m.get("valid_seconds")).doubleValue(),
                (Boolean) m.get("improved"));
    }
}
