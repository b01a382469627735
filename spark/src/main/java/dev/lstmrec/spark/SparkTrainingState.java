package dev.lstmrec.spark;

import dev.lstmrec.engine.api.RunFingerprint;
import dev.lstmrec.engine.io.Checkpoint;
import dev.lstmrec.engine.io.CheckpointFile;
import dev.lstmrec.engine.io.CheckpointFormatException;
import org.apache.hadoop.conf.Configuration;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything a distributed run needs to continue: averaged weights and Adam moments, the Adam step, where in which
 * epoch the next round starts, the early-stopping bookkeeping with the best weights, and the per-epoch history. Stored
 * in the engine's checkpoint container (CRC-checked) as {@code <dir>/training-state.lstmrec}, replaced atomically.
 * Because tasks are pure functions of the broadcast state, a run restarted from this file continues exactly as the
 * uninterrupted run would have (SparkTrainerTest checks it).
 */
public final class SparkTrainingState {
    public static final String KIND = "lstmrec-spark-training-state";
    public static final String FILE = "training-state.lstmrec";

    float[] weights, adamM, adamV, best;
    int step, epoch = 1, nextRound, bestEpoch, sinceBest, rounds;
    double bestScore = Double.NEGATIVE_INFINITY, epochLoss;
    long epochTokens;
    /** Per finished epoch: {epoch, mean loss, validation NDCG@10, seconds}. */
    final List<double[]> history = new ArrayList<>();

    public int epoch() {
        return epoch;
    }

    public int bestEpoch() {
        return bestEpoch;
    }

    public List<double[]> history() {
        return history;
    }

    void write(Configuration conf, String dir, String fingerprint) throws IOException {
        double[] flatHistory = new double[history.size() * 4];
        for (int i = 0; i < history.size(); i++) System.arraycopy(history.get(i), 0, flatHistory, 4 * i, 4);
        Checkpoint.Builder b = Checkpoint.builder().meta("kind", KIND).meta("fingerprint", fingerprint)
                .meta("step", Integer.toString(step)).meta("epoch", Integer.toString(epoch))
                .meta("next_round", Integer.toString(nextRound)).meta("rounds", Integer.toString(rounds))
                .meta("best_epoch", Integer.toString(bestEpoch)).meta("since_best", Integer.toString(sinceBest))
                .meta("best_score", Double.toString(bestScore)).meta("epoch_loss", Double.toString(epochLoss))
                .meta("epoch_tokens", Long.toString(epochTokens))
                .meta("history", join(flatHistory))
                .floats("weights", weights, weights.length).floats("adam.m", adamM, adamM.length).floats("adam.v", adamV, adamV.length);
        if (best != null) b.floats("best", best, best.length);
        Checkpoint c = b.build();
        HadoopFiles.write(conf, dir + "/" + FILE, local -> CheckpointFile.write(local, c));
    }

    /** The saved state in {@code dir}, or null when there is none; refuses a state made with other settings or data. */
    static SparkTrainingState read(Configuration conf, String dir, RunFingerprint fingerprint, int total) throws IOException {
        String file = dir + "/" + FILE;
        if (!HadoopFiles.exists(conf, file)) return null;
        Checkpoint c = HadoopFiles.read(conf, file, CheckpointFile::read);
        if (!KIND.equals(c.meta().get("kind"))) throw new CheckpointFormatException(file, "not a Spark training state");
        String stored = c.meta().get("fingerprint");
        if (!fingerprint.accepts(stored)) {
            boolean preMasking = stored != null && !stored.startsWith(RunFingerprint.VERSION) && !stored.contains(TrainSettings.MASK_TOKEN);
            if (preMasking && fingerprint.value().contains(";mask-seen=true;")) {
                // Written before seen-item masking existed: that run trained without it, which resumes only unmasked.
                throw new CheckpointFormatException(file, "written before seen-item masking existed: that run trained without"
                        + " it, and these settings (--exclude-seen) mask the seen items; start the run again with a new"
                        + " checkpoint directory");
            }
            throw new CheckpointFormatException(file, "made for other data or settings (" + stored + "), not " + fingerprint.value());
        }
        SparkTrainingState s = new SparkTrainingState();
        s.weights = c.requireFloats("weights", total);
        s.adamM = c.requireFloats("adam.m", total);
        s.adamV = c.requireFloats("adam.v", total);
        s.best = c.floats().containsKey("best") ? c.requireFloats("best", total) : null;
        s.step = Integer.parseInt(c.requireMeta("step"));
        s.epoch = Integer.parseInt(c.requireMeta("epoch"));
        s.nextRound = Integer.parseInt(c.requireMeta("next_round"));
        s.rounds = Integer.parseInt(c.requireMeta("rounds"));
        s.bestEpoch = Integer.parseInt(c.requireMeta("best_epoch"));
        s.sinceBest = Integer.parseInt(c.requireMeta("since_best"));
        s.bestScore = Double.parseDouble(c.requireMeta("best_score"));
        s.epochLoss = Double.parseDouble(c.requireMeta("epoch_loss"));
        s.epochTokens = Long.parseLong(c.requireMeta("epoch_tokens"));
        String h = c.requireMeta("history");
        if (!h.isEmpty()) {
            String[] parts = h.split(",");
            for (int i = 0; i + 3 < parts.length; i += 4) {
                s.history.add(new double[] {Double.parseDouble(parts[i]), Double.parseDouble(parts[i + 1]),
                        Double.parseDouble(parts[i + 2]), Double.parseDouble(parts[i + 3])});
            }
        }
        return s;
    }

    private static String join(double[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(a[i]);
        }
        return sb.toString();
    }
}
