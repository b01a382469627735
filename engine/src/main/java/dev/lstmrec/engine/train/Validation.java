package dev.lstmrec.engine.train;

import dev.lstmrec.engine.eval.EvalCase;
import dev.lstmrec.engine.eval.Evaluator;
import dev.lstmrec.engine.eval.Metrics;
import dev.lstmrec.engine.eval.Protocol;
import dev.lstmrec.engine.eval.SessionEvaluator;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

/**
 * What {@link Trainer#fit} scores after every epoch to select the best one: held-out cases (a history and its next
 * item, leave-one-out style) or held-out sessions scored as the session protocol scores its test log. Checked by
 * TrainerTest and SessionTrainingTest.
 */
public interface Validation {
    /** The trainer's current model on the held-out data. */
    Metrics evaluate(Trainer trainer);

    /** Whether there is nothing to validate on. */
    boolean isEmpty();

    /** Feeds what is held out into a run fingerprint (so a resumed run validates on the same data). */
    void fingerprint(CRC32C crc);

    /** Cases ranked under {@code protocol} (full ranking or sampled negatives, history excluded or not). */
    static Validation cases(List<EvalCase> cases, Protocol protocol) {
        return new Validation() {
            @Override
            public Metrics evaluate(Trainer trainer) {
                try (Evaluator evaluator = new Evaluator(trainer.backend(), trainer.modelConfig().numItems())) {
                    return evaluator.evaluate(trainer.scorer(), cases, protocol);
                }
            }

            @Override
            public boolean isEmpty() {
                return cases.isEmpty();
            }

            @Override
            public void fingerprint(CRC32C crc) {
                for (EvalCase c : cases) update(crc, c.target());
            }
        };
    }

    /** Whole sessions: every next item given the session's items before it, all items ranked, nothing excluded. */
    static Validation sessions(List<int[]> sessions) {
        return new Validation() {
            @Override
            public Metrics evaluate(Trainer trainer) {
                try (SessionEvaluator evaluator = new SessionEvaluator(trainer.backend(), trainer.modelConfig().numItems())) {
                    return evaluator.evaluate(trainer.sessionScorer(), sessions);
                }
            }

            @Override
            public boolean isEmpty() {
                return sessions.isEmpty();
            }

            @Override
            public void fingerprint(CRC32C crc) {
                for (int[] s : sessions) {
                    for (int item : s) update(crc, item);
                    update(crc, -1); // ends a session
                }
            }
        };
    }

    /**
     * {@code selecting}, which chooses the epoch, with {@code observed} scored after it and handed to {@code sink}: a
     * learning curve on other data (the test targets) that never takes part in the choice.
     */
    static Validation alsoScoring(Validation selecting, Validation observed, Consumer<Metrics> sink) {
        return new Validation() {
            @Override
            public Metrics evaluate(Trainer trainer) {
                Metrics m = selecting.evaluate(trainer);
                sink.accept(observed.evaluate(trainer));
                return m;
            }

            @Override
            public boolean isEmpty() {
                return selecting.isEmpty();
            }

            @Override
            public void fingerprint(CRC32C crc) {
                selecting.fingerprint(crc);
            }
        };
    }

    /** One big-endian int into the checksum (the byte order fingerprints have always used). */
    private static void update(CRC32C crc, int value) {
        crc.update(ByteBuffer.allocate(4).putInt(value).array(), 0, 4);
    }
}
