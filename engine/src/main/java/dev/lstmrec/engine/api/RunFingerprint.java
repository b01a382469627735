package dev.lstmrec.engine.api;

import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.train.Validation;
import dev.lstmrec.engine.model.ModelConfig;
import dev.lstmrec.engine.train.LossConfig;
import dev.lstmrec.engine.train.LrSchedule;
import dev.lstmrec.engine.train.RowOptimizer;
import dev.lstmrec.engine.train.TrainConfig;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * What a training state was made for, so that a run only ever resumes a state of the same data and fixed settings:
 * the run's fixed settings ({@link #settings}: every {@link RunOption} of the model, training, loss and evaluation
 * groups that a resume may not change, at the value the run uses) and a checksum of the data it trains and validates
 * on. {@code train}, {@code tune}'s trials and Spark (whose data part is its catalogue and user counts) all fingerprint
 * this way.
 *
 * <p>States written by lstmrec versions before this form carry an older fingerprint; {@link #accepts} is the one place
 * that still takes them: such a state resumes when its fingerprint equals the older form computed for this run
 * ({@link #legacy} for single-machine runs; Spark passes its own older forms).
 */
public record RunFingerprint(String value, List<String> legacy) {
    /** Starts every fingerprint of this form; a stored fingerprint without it was written by an older lstmrec. */
    public static final String VERSION = "run-v2;";

    public RunFingerprint {
        Objects.requireNonNull(value, "value");
        legacy = List.copyOf(legacy);
    }

    /**
     * The fixed settings of {@code run} as text: {@code key=value;} for each setting a resume may not change, in
     * declaration order, except where the data comes from and how it is computed (the data checksum covers the data);
     * the loss as resolved for the catalogue ({@code auto} picks full or sampled by its size).
     */
    public static String settings(RunConfig run, LossConfig.Loss resolvedLoss) {
        StringBuilder sb = new StringBuilder();
        for (RunOption o : RunOption.values()) {
            if (o.changeable() || !fixes(o.group())) continue;
            String v = o == RunOption.LOSS ? resolvedLoss.cliName() : run.effective(o);
            sb.append(o.key()).append('=').append(v).append(';');
        }
        return sb.append("session=").append(run.sessionLog()).append(';').toString();
    }

    private static boolean fixes(RunOption.Group g) {
        return g == RunOption.Group.MODEL || g == RunOption.Group.TRAINING || g == RunOption.Group.LOSS || g == RunOption.Group.EVALUATION;
    }

    /**
     * The fingerprint of a single-machine run: {@code protocol} (how validation was split), its fixed settings, and a
     * CRC32C over them, the training sequences and the validation cases.
     */
    public static RunFingerprint of(String protocol, RunConfig run, int numItems, Protocol validation, List<int[]> train, Validation valid) {
        ModelConfig model = run.modelConfig(numItems);
        LossConfig loss = run.lossConfig();
        LossConfig.Loss resolved = loss.resolve(numItems);
        String current = VERSION + digest(protocol + settings(run, resolved), train, valid, numItems);
        return new RunFingerprint(current, List.of(legacy(protocol, model, run.trainConfig(), validation, train, valid, resolved, loss)));
    }

    /** {@code VERSION + text}: a fingerprint of this form for a caller that has no training sequences here (Spark). */
    public static RunFingerprint ofText(String text, List<String> legacy) {
        return new RunFingerprint(VERSION + text, legacy);
    }

    /** Whether a state whose stored fingerprint is {@code stored} was made for this run. */
    public boolean accepts(String stored) {
        if (stored == null) return false;
        if (stored.startsWith(VERSION)) return stored.equals(value);
        return legacy.contains(stored);
    }

    private static String digest(String settings, List<int[]> train, Validation valid, int numItems) {
        CRC32C crc = new CRC32C();
        crc.update(settings.getBytes(StandardCharsets.UTF_8));
        long interactions = sequences(crc, train);
        valid.fingerprint(crc);
        return String.format("crc32c=%08x;sequences=%d;interactions=%d;items=%d", crc.getValue(), train.size(), interactions, numItems);
    }

    private static long sequences(CRC32C crc, List<int[]> train) {
        ByteBuffer buf = ByteBuffer.allocate(4);
        long interactions = 0;
        for (int[] s : train) {
            buf.clear();
            buf.putInt(s.length);
            crc.update(buf.array(), 0, 4);
            for (int item : s) {
                buf.clear();
                buf.putInt(item);
                crc.update(buf.array(), 0, 4);
            }
            interactions += s.length;
        }
        return interactions;
    }

    /**
     * The fingerprint lstmrec wrote before this form, for the same run: the settings as the network, optimiser and
     * validation protocol printed them (defaults that came later left out, so older states matched), then the loss.
     */
    private static String legacy(String protocol, ModelConfig m, TrainConfig t, Protocol p, List<int[]> train, Validation valid,
                                 LossConfig.Loss resolved, LossConfig loss) {
        CRC32C crc = new CRC32C();
        LrSchedule s = t.schedule();
        boolean plainSchedule = s.kind() == LrSchedule.Kind.CONSTANT && s.warmup() == 0;
        String model = "ModelConfig[numItems=" + m.numItems() + ", embeddingDim=" + m.embeddingDim() + ", hiddenDim=" + m.hiddenDim()
                + ", layers=" + m.layers() + ", maxLen=" + m.maxLen() + ", embeddingDropout=" + m.embeddingDropout() + ", hiddenDropout="
                + m.hiddenDropout() + (m.tied() ? ", tied=true]" : "]");
        String settings = model + "|" + t.batchSize() + "|" + t.lr() + "|" + t.seed() + "|" + t.weightDecay() + "|" + t.clipNorm()
                + (plainSchedule ? "" : "|" + s.kind().cliName() + "," + s.warmup())
                + "|" + p.excludeSeen() + "|" + p.negatives();
        crc.update(settings.getBytes(StandardCharsets.UTF_8));
        long interactions = sequences(crc, train);
        valid.fingerprint(crc);
        String lossPart;
        if (resolved == LossConfig.Loss.FULL) {
            lossPart = loss.maskSeen() ? ";mask-seen" : "";
        } else {
            String rows = loss.rows().kind() == RowOptimizer.Kind.ADAM ? "" : ",adagrad," + loss.rows().lr() + "," + loss.rows().momentum();
            lossPart = ";loss=" + resolved.cliName() + "," + loss.negatives() + "," + loss.sampleAlpha() + "," + loss.logq() + ","
                    + loss.bpreg() + rows;
        }
        return protocol + String.format("crc32c=%08x;sequences=%d;interactions=%d;items=%d", crc.getValue(), train.size(), interactions,
                m.numItems()) + lossPart;
    }
}
