package dev.lstmrec.engine.tune;

// The search logic on the fake objective: the ASHA ladder and promotion rule, continuation instead of restarts,
// budget accounting (trials and time, with the reserve for finishing the leader), and resume after a crash giving
// the same result as an uninterrupted search.

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TunerTest {
    @TempDir
    Path dir;

    static final SearchSpace SPACE = new SearchSpace(List.of(new Param.LogUniform("lr", 0.0005, 0.03),
            new Param.Choice("dim", List.of("32", "64"))));

    Tuner tuner(Rungs schedule, Budget budget, AtomicLong clock) {
        return new Tuner(SPACE, schedule, budget, 7, dir.resolve("state.json"), "test-data", clock::get);
    }

    @Test
    void ashaLadderIsGeometricUpToTheMaximum() {
        assertArrayEquals(new int[] {3, 9, 27, 40}, Rungs.asha(3, 3, 40).rungs());
        assertArrayEquals(new int[] {1, 2, 4, 8}, Rungs.asha(1, 2, 8).rungs());
        assertArrayEquals(new int[] {5}, Rungs.asha(5, 3, 5).rungs());
        assertArrayEquals(new int[] {40}, Rungs.randomSearch(40).rungs());
        assertEquals(1, Rungs.asha(3, 3, 40).rungOf(9));
        assertEquals(-1, Rungs.asha(3, 3, 40).rungOf(2));
        assertThrows(IllegalArgumentException.class, () -> Rungs.asha(0, 3, 40));
        assertThrows(IllegalArgumentException.class, () -> Rungs.asha(3, 1, 40));
    }

    @Test
    void promotesTheTopThirdOfARungAndContinuesIt() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1);
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(9, 0, clock::get), clock).run(f, TuneListener.SILENT);
        // Three new trials at rung 0, then the best of them is promoted to 3 epochs before a fourth trial starts.
        assertEquals(List.of("1:0->1", "2:0->1", "3:0->1"), f.jobs.subList(0, 3));
        List<Trial> first = new ArrayList<>(r.leaderboard().stream().filter(t -> t.id() <= 3).toList());
        first.sort((a, b) -> Double.compare(b.rungScores.get(0), a.rungScores.get(0)));
        assertEquals(first.get(0).id() + ":1->3", f.jobs.get(3));
        // Every job starts where the trial's saved state stopped (FakeObjective throws on a restart).
        for (String j : f.jobs) assertFalse(j.endsWith(":0->3") || j.endsWith(":0->9"), j);
        // The promotion rule: a trial at rung k+1 was in the top floor(n/eta) of rung k when it moved.
        assertEquals(9, r.leaderboard().size());
        assertTrue(r.best().finished());
        assertEquals(9, r.best().epochs());
        double bestScore = r.leaderboard().stream().mapToDouble(Trial::best).max().orElseThrow();
        assertEquals(bestScore, r.best().best());
    }

    @Test
    void promotableChoosesOnlyFromTheTopOfEachRung() {
        Rungs s = Rungs.asha(1, 3, 9);
        List<Trial> trials = new ArrayList<>();
        double[] scores = {0.1, 0.3, 0.2, 0.25, 0.05};
        for (int i = 0; i < scores.length; i++) {
            Trial t = new Trial(i + 1, Map.of("lr", "0.001"));
            t.epochs = 1;
            t.best = scores[i];
            t.rungScores.add(scores[i]);
            trials.add(t);
        }
        // 5 at rung 0: the top floor(5/3) = 1 is trial 2.
        assertEquals(2, s.promotable(trials).id());
        trials.get(1).rungScores.add(0.3); // trial 2 promoted to rung 1
        trials.get(1).epochs = 3;
        assertEquals(null, s.promotable(trials), "trial 4 is second of five: not in the top 1/3 until a sixth arrives");
        Trial sixth = new Trial(6, Map.of("lr", "0.001"));
        sixth.epochs = 1;
        sixth.rungScores.add(0.01);
        trials.add(sixth);
        assertEquals(4, s.promotable(trials).id());
        trials.get(3).finished = true; // stopped early: cannot be promoted
        assertEquals(null, s.promotable(trials));
    }

    @Test
    void randomSearchTrainsEveryTrialToTheEnd() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1);
        Tuner.Result r = tuner(Rungs.randomSearch(5), new Budget(4, 0, clock::get), clock).run(f, TuneListener.SILENT);
        assertEquals(List.of("1:0->5", "2:0->5", "3:0->5", "4:0->5"), f.jobs);
        for (Trial t : r.leaderboard()) assertTrue(t.finished() && t.epochs() == 5);
    }

    @Test
    void timeBudgetCoversTheSearchAndFinishingTheLeader() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 10); // 10 s per epoch
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(0, 300, clock::get), clock).run(f, TuneListener.SILENT);
        assertTrue(r.best().finished());
        assertEquals(9, r.best().epochs());
        // Jobs start only when they fit with the reserve for the leader, so the whole run stays within the budget.
        assertTrue(r.spentSeconds() <= 300 + 1e-9, "spent " + r.spentSeconds());
        assertTrue(r.spentSeconds() >= 300 - 10 * 9, "used most of the budget, spent " + r.spentSeconds());
        assertEquals(f.epochsRun * 10.0, r.spentSeconds(), 1e-6);
    }

    @Test
    void trialLimitStopsNewTrials() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1);
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(2, 0, clock::get), clock).run(f, TuneListener.SILENT);
        assertEquals(2, r.leaderboard().size());
        assertTrue(r.best().finished(), "the leader is trained to the end even when no promotion was earned");
    }

    @Test
    void budgetAccountsAcrossSessionsAndEstimatesFromPace() {
        AtomicLong clock = new AtomicLong();
        Budget b = new Budget(0, 100, clock::get);
        clock.addAndGet(30_000_000_000L);
        assertEquals(70, b.left(), 1e-9);
        b.resumeFrom(50); // an earlier session had spent 50 s
        clock.addAndGet(10_000_000_000L);
        assertEquals(60, b.spent(), 1e-9);
        assertTrue(b.fits(30, 10));
        assertFalse(b.fits(30, 11));
        Trial t = new Trial(1, Map.of());
        Trial other = new Trial(2, Map.of());
        other.epochs = 4;
        other.seconds = 8;
        assertEquals(6, Budget.estimate(t, 3, List.of(t, other)), 1e-9, "an untrained trial is estimated at the others' pace");
        t.epochs = 2;
        t.seconds = 10;
        assertEquals(15, Budget.estimate(t, 3, List.of(t, other)), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new Budget(0, 0, clock::get));
    }

    @Test
    void resumedAfterACrashEndsAsAnUninterruptedSearch() throws Exception {
        AtomicLong c1 = new AtomicLong();
        FakeObjective once = new FakeObjective(c1, 1);
        Tuner.Result expected = new Tuner(SPACE, Rungs.asha(1, 3, 9), new Budget(8, 0, c1::get), 7, dir.resolve("a.json"), "d", c1::get)
                .run(once, TuneListener.SILENT);

        for (int crashAt : new int[] {0, 1, 4, 7, 12}) {
            Path state = dir.resolve("b" + crashAt + ".json");
            AtomicLong c2 = new AtomicLong();
            FakeObjective f = new FakeObjective(c2, 1);
            f.crashAfterEpochs = crashAt;
            assertThrows(IllegalStateException.class, () -> new Tuner(SPACE, Rungs.asha(1, 3, 9), new Budget(8, 0, c2::get), 7, state, "d",
                    c2::get).run(f, TuneListener.SILENT));
            assertTrue(Files.exists(state));
            f.crashAfterEpochs = -1; // the restarted process: same saved trial states, a new Tuner reading the file
            Tuner.Result resumed = new Tuner(SPACE, Rungs.asha(1, 3, 9), new Budget(8, 0, c2::get), 7, state, "d", c2::get)
                    .run(f, TuneListener.SILENT);
            assertEquals(summary(expected), summary(resumed), "crash after " + crashAt + " epochs");
            assertEquals(once.epochsRun, f.epochsRun, "no epoch trained twice");
        }
    }

    @Test
    void aStateOfAnotherSearchIsRefused() throws Exception {
        AtomicLong clock = new AtomicLong();
        tuner(Rungs.asha(1, 3, 9), new Budget(3, 0, clock::get), clock).run(new FakeObjective(clock, 1), TuneListener.SILENT);
        Tuner other = new Tuner(SPACE, Rungs.asha(1, 3, 9), new Budget(3, 0, clock::get), 7, dir.resolve("state.json"), "other-data", clock::get);
        IOException e = assertThrows(IOException.class, () -> other.run(new FakeObjective(clock, 1), TuneListener.SILENT));
        assertTrue(e.getMessage().contains("other data or settings"), e.getMessage());
        Files.writeString(dir.resolve("state.json"), "{\"lstmrec_tune_state\": 1, \"fingerprint\": ");
        assertThrows(IOException.class, () -> tuner(Rungs.asha(1, 3, 9), new Budget(3, 0, clock::get), clock)
                .run(new FakeObjective(clock, 1), TuneListener.SILENT));
    }

    @Test
    void failedTrialsAreRecordedAndSkipped() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1) {
            @Override
            public Outcome advance(Trial trial, int toEpoch, Progress progress) {
                if (trial.id() == 2) throw new dev.lstmrec.engine.train.TrainingDivergedException("loss became NaN");
                return super.advance(trial, toEpoch, progress);
            }
        };
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(4, 0, clock::get), clock).run(f, TuneListener.SILENT);
        Trial failed = r.leaderboard().get(r.leaderboard().size() - 1);
        assertEquals(2, failed.id());
        assertEquals("loss became NaN", failed.failure());
        assertNotNull(r.best());
        assertTrue(f.discarded.contains(2), "a failed trial's state is freed");
    }

    @Test
    void whenTheLeaderDivergesTheNextOneStillHasItsState() throws Exception {
        AtomicLong clock = new AtomicLong();
        List<Integer> discarded = new ArrayList<>();
        // Trial 1 leads after one epoch and diverges when promoted; trial 2 stopped early (finished) just behind it.
        Objective o = new Objective() {
            @Override
            public Outcome advance(Trial trial, int toEpoch, Progress progress) {
                clock.addAndGet(1_000_000_000L);
                if (trial.id() == 1 && trial.epochs() > 0) throw new dev.lstmrec.engine.train.TrainingDivergedException("loss became NaN");
                double score = trial.id() == 1 ? 0.5 : trial.id() == 2 ? 0.4 : 0.1;
                return new Outcome(score, 1, 1, trial.id() == 2);
            }

            @Override
            public void discard(Trial trial) {
                discarded.add(trial.id());
            }
        };
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(3, 0, clock::get), clock).run(o, TuneListener.SILENT);
        assertEquals("loss became NaN", r.leaderboard().stream().filter(t -> t.id() == 1).findFirst().orElseThrow().failure());
        assertEquals(2, r.best().id());
        assertFalse(discarded.contains(2), "the winner's checkpoints are kept for the final run: discarded " + discarded);
    }

    @Test
    void earlyStoppedTrialsAreFinishedAndTheirStateFreedOnceBehind() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1);
        f.stopEarlyAt = 2;
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(6, 0, clock::get), clock).run(f, TuneListener.SILENT);
        for (Trial t : r.leaderboard()) assertTrue(t.epochs() <= 3);
        assertFalse(f.discarded.contains(r.best().id()), "the leader keeps its state for the final evaluation");
    }

    @Test
    void aTrialThatStopsShortOfItsTargetIsNotPromotedAgain() throws Exception {
        AtomicLong clock = new AtomicLong();
        FakeObjective f = new FakeObjective(clock, 1) {
            @Override
            public Outcome advance(Trial trial, int toEpoch, Progress progress) {
                return super.advance(trial, Math.min(toEpoch, 2), progress); // as if the space set --epochs 2
            }
        };
        Tuner.Result r = tuner(Rungs.asha(1, 3, 9), new Budget(6, 0, clock::get), clock).run(f, TuneListener.SILENT);
        for (Trial t : r.leaderboard()) assertTrue(t.epochs() <= 2);
        for (Trial t : r.leaderboard()) {
            long jobs = f.jobs.stream().filter(j -> j.startsWith(t.id() + ":")).count();
            assertTrue(jobs <= 2, "trial " + t.id() + " is not promoted again after stopping short: " + f.jobs);
        }
    }

    private static List<String> summary(Tuner.Result r) {
        List<String> s = new ArrayList<>();
        for (Trial t : r.leaderboard()) s.add(t.id() + " " + t.config() + " " + t.epochs() + " " + t.best() + " " + t.rungScores);
        s.add("best " + r.best().id());
        return s;
    }
}
