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
 * (docs/checkpoint-format.md), written atomically; after each write only the newest two are kept, so a crash
 * while writing one always leaves a complete older one. Reading takes the newest file that passes every check and
 * reports any newer one it had to skip.
 */
public final class TrainingCheckpoints {
    public static final String KIND = "lstmrec-training-state";
    private static final Pattern NAME = Pattern.compile("state-(\\d+)\\.lstmrec-state");
    private static final int KEEP = 2;

    private TrainingCheckpoints() {}

    /** A state read back, with the file it came from and the newer files that were unusable (with why). */
    public record Loaded(TrainingState state, Path file, List<String> skipped) {}

    static Path write(Path dir, TrainingState s, String fingerprint) throws IOException {
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
        b.floats("weights", s.weights).floats("adam.m", s.adamM).floats("adam.v", s.adamV);
        if (s.best != null) b.floats("best", s.best);
        Path file = dir.resolve(String.format("state-%010d.lstmrec-state", s.step));
        CheckpointFile.write(file, b.build());
        List<Path> all = list(dir);
        for (int i = 0; i < all.size() - KEEP; i++) Files.deleteIfExists(all.get(i));
        return file;
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
     * The newest usable state in {@code dir} made for {@code fingerprint}.
     *
     * @throws IOException naming the directory when it holds no usable state, with the reason for each file
     */
    public static Loaded readLatest(Path dir, String fingerprint) throws IOException {
        List<Path> files = new ArrayList<>(list(dir));
        if (files.isEmpty()) throw new IOException(dir + ": no training checkpoint (state-*.lstmrec-state) to resume from");
        List<String> skipped = new ArrayList<>();
        for (int i = files.size() - 1; i >= 0; i--) {
            Path f = files.get(i);
            try {
                return new Loaded(read(f, fingerprint), f, skipped);
            } catch (CheckpointFormatException e) {
                skipped.add(e.getMessage());
            }
        }
        throw new IOException(dir + ": no usable training checkpoint: " + String.join("; ", skipped));
    }

    static TrainingState read(Path file, String fingerprint) throws IOException {
        Checkpoint c = CheckpointFile.read(file);
        String src = file.toString();
        if (!KIND.equals(c.meta().get("kind"))) throw new CheckpointFormatException(src, "not a training checkpoint");
        if (!fingerprint.equals(c.requireMeta("fingerprint"))) {
            throw new CheckpointFormatException(src, "made for other data or settings; resume with the same --data and model/training options");
        }
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
        return s;
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
