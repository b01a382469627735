package dev.lstmrec.engine.api;

// The session-based protocol through TrainingBuilder (train --test-data): the test log is scored after early stopping
// on the training log's latest sessions (or its last items), session-log defaults apply unless given, unknown test items are dropped and counted, and a run stopped mid-training and
// resumed with the directory alone ends bit-identical to an uninterrupted one (scalar backend, one thread).

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.ReadOptions;
import dev.lstmrec.engine.eval.LatestSessionsHoldout;
import dev.lstmrec.engine.eval.Metric;
import dev.lstmrec.engine.train.TrainingInterruptedException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionTrainingTest {
    @TempDir
    static Path dir;
    static Path train, test;

    /** 90 training and 30 test sessions walking a ring of 20 items, plus a test session with an unknown item. */
    @BeforeAll
    static void logs() throws IOException {
        StringBuilder tr = new StringBuilder("SessionId\tItemId\tTime\n"), te = new StringBuilder("SessionId\tItemId\tTime\n");
        SplittableRandom rnd = new SplittableRandom(5);
        long time = 0;
        for (int s = 0; s < 120; s++) {
            StringBuilder b = s < 90 ? tr : te;
            int item = rnd.nextInt(20), len = 2 + rnd.nextInt(6);
            for (int i = 0; i < len; i++) b.append("s").append(s).append('\t').append("i").append((item + i) % 20).append('\t').append(time++).append('\n');
        }
        te.append("late\tnever-seen\t").append(time++).append("\nlate\ti3\t").append(time).append('\n');
        train = dir.resolve("train.tsv");
        test = dir.resolve("test.tsv");
        Files.writeString(train, tr);
        Files.writeString(test, te);
    }

    private static TrainingBuilder configured() {
        return LstmRec.trainer().data(train).testData(test).format(Format.GRU4REC).dim(8).hidden(8).maxLen(20).batch(16)
                .lr(0.02f).epochs(3).patience(2).seed(1).clipNorm(5f).backend("scalar").threads(1);
    }

    @Test
    void scoresTheTestLogAfterEarlyStoppingOnTheTrainingLog() throws IOException {
        Experiment.Result r = configured().train();
        assertTrue(r.sessionProtocol());
        assertNull(r.split(), "no leave-one-out split under the session protocol");
        assertEquals(1, r.sessions().unknownEvents());
        assertEquals(1, r.sessions().droppedSessions(), "the late session keeps one known item: nothing to predict");
        assertEquals(r.sessions().positions(), r.test().cases());
        assertEquals(r.sessions().positions(), r.popularity().cases());
        assertEquals(LatestSessionsHoldout.split(DataReader.read(train, ReadOptions.builder().format(Format.GRU4REC).build())).positions(),
                r.training().epochs().get(0).validation().cases(), "every position of the latest training sessions");
        assertTrue(r.test().get(Metric.HR, 20) >= r.test().get(Metric.HR, 5));
        assertEquals(20, r.model().config().numItems());
        assertEquals("session", r.model().info().get("protocol"));
        assertEquals(test.toAbsolutePath().normalize(), r.run().testDataFile());
    }

    @Test
    void aSessionLogWithoutATestLogIsTestedOnItsOwnLatestSessions() throws IOException {
        Experiment.Result r = LstmRec.trainer().data(train).format(Format.GRU4REC).maxLen(20).batch(16).epochs(2).seed(1)
                .backend("scalar").threads(1).train();
        assertTrue(r.sessionProtocol(), "a GRU4Rec file is a session log");
        assertNull(r.split());
        Dataset log = DataReader.read(train, ReadOptions.builder().format(Format.GRU4REC).build());
        LatestSessionsHoldout latest = LatestSessionsHoldout.split(log);
        assertEquals(latest.positions(), r.sessions().positions(), "the log's latest sessions are the test set");
        assertEquals(latest.positions(), r.test().cases());
        assertEquals(90 - latest.validation().size(), r.model().userIds().size(), "the test sessions do not train");
        assertEquals(LatestSessionsHoldout.split(SessionExperiment.LogSplit.latestAsTest(log).train()).positions(),
                r.training().epochs().get(0).validation().cases(), "validation: the latest of the remaining sessions");
        assertEquals("128", r.run().get(RunOption.DIM), "session-log defaults");
        assertTrue(r.model().info().get("test_dataset").contains("its latest"), r.model().info().toString());
    }

    @Test
    void theLastItemHoldoutValidatesOnTheLastItemOfEverySession() throws IOException {
        Experiment.Result r = configured().set(RunOption.HOLDOUT, "last-item").train();
        assertEquals(90, r.training().epochs().get(0).validation().cases(), "one validation case per training session");
    }

    @Test
    void sessionLogsGetTheirOwnDefaultsUnlessGiven() throws IOException {
        RunConfig session = LstmRec.trainer().data(train).testData(test).resolve();
        assertEquals("128", session.get(RunOption.DIM));
        assertEquals("128", session.get(RunOption.HIDDEN));
        assertEquals("true", session.get(RunOption.TIED));
        assertEquals("0.01", session.get(RunOption.LR));
        assertEquals(List.of("--dim 128", "--hidden 128", "--embedding-dropout 0.5", "--hidden-dropout 0.3", "--tied", "--lr 0.01",
                "--lr-schedule cosine", "--epochs 10", "--patience 3"), session.sessionDefaultsUsed());
        assertEquals(0.5f, session.modelConfig(10).embeddingDropout());
        RunConfig dropout = LstmRec.trainer().data(train).testData(test).dropout(0.1f).resolve();
        assertEquals(0.1f, dropout.modelConfig(10).embeddingDropout(), "--dropout given sets both sites");
        assertEquals(0.1f, dropout.modelConfig(10).hiddenDropout());
        RunConfig given = LstmRec.trainer().data(train).testData(test).lr(0.002f).set(RunOption.TIED, "false").resolve();
        assertEquals("0.002", given.get(RunOption.LR), "a given option wins");
        assertEquals("false", given.get(RunOption.TIED));
        RunConfig apart = LstmRec.trainer().data(train).testData(test).dim(32).resolve();
        assertEquals("false", apart.get(RunOption.TIED), "d != h keeps two tables instead of failing");
        RunConfig userHistories = LstmRec.trainer().data(train).resolve();
        assertEquals(RunOption.DIM.defaultValue(), userHistories.get(RunOption.DIM), "leave-one-out keeps the general defaults");
        assertEquals("false", userHistories.get(RunOption.TIED));
        assertEquals(List.of(), userHistories.sessionDefaultsUsed());
    }

    @Test
    void stoppedAndResumedWithTheDirectoryAloneEndsIdentical() throws IOException {
        Experiment.Result reference = configured().train();
        Path ckpt = dir.resolve("ckpt");
        AtomicInteger polls = new AtomicInteger();
        TrainingInterruptedException e = assertThrows(TrainingInterruptedException.class,
                () -> configured().checkpointDir(ckpt).checkpointEvery(2).stopWhen(() -> polls.incrementAndGet() >= 7).train());
        assertTrue(Files.exists(e.checkpoint()));
        Experiment.Result r = LstmRec.trainer().resume(ckpt).train();
        assertTrue(r.sessionProtocol(), "the test data came from the stored configuration");
        assertArrayEquals(reference.model().weights(), r.model().weights(), "bit-identical to the uninterrupted run");
        assertEquals(reference.test().asMap(), r.test().asMap());
        assertEquals(reference.popularity().asMap(), r.popularity().asMap());
        assertEquals(reference.sessions().describe(), r.sessions().describe(), "the same test sessions, counts and drops");
        assertEquals(reference.training().epochs().size(), r.training().epochs().size());
    }

    @Test
    void testDataIsFixedOnResumeAndRefusesSampledNegatives() throws IOException {
        Path ckpt = dir.resolve("fixed");
        AtomicInteger polls = new AtomicInteger();
        assertThrows(TrainingInterruptedException.class,
                () -> configured().checkpointDir(ckpt).stopWhen(() -> polls.incrementAndGet() >= 3).train());
        RunConfig.ConflictException c = assertThrows(RunConfig.ConflictException.class,
                () -> LstmRec.trainer().resume(ckpt).testData(train).train());
        assertEquals(RunOption.TEST_DATA, c.option());
        assertThrows(RunConfig.ConflictException.class, () -> LstmRec.trainer().resume(ckpt).set(RunOption.TEST_DATA, null).train(),
                "a session run does not turn into leave-one-out on resume");
        IllegalArgumentException neg = assertThrows(IllegalArgumentException.class, () -> configured().evalNegatives(100).train());
        assertTrue(neg.getMessage().contains("eval-negatives"), neg.getMessage());
    }
}
