package dev.lstmrec.engine.tune;

// The search loop: pick the next job (an ASHA promotion, else a new trial), check it against the budget, run it
// through the Objective, record the result, save the state; then finish the leader (train it to the end) so its
// configuration is the one reported. The state is saved before and after every job, so a killed search resumes
// where it stopped: the job in progress is run again from its trial's last training checkpoint.

import dev.lstmrec.engine.train.TrainingDivergedException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;

/** Hyper-parameter search with successive halving (or plain random search) over a {@link SearchSpace}. */
public final class Tuner {
    /**
     * @param leaderboard every trial, best validation score first (failed trials last)
     * @param best        the winner, trained to the end
     * @param spentSeconds wall-clock seconds of the whole search, across restarts
     */
    public record Result(List<Trial> leaderboard, Trial best, double spentSeconds) {}

    private final SearchSpace space;
    private final Rungs ladder;
    private final Budget budget;
    private final long searchSeed;
    private final Path stateFile;
    private final String fingerprint;
    private final LongSupplier nanoClock;

    /**
     * @param fingerprint identifies the data and fixed settings; the space, ladder and seed are added to it, and a
     *                    state file with another fingerprint is refused rather than continued
     */
    public Tuner(SearchSpace space, Rungs ladder, Budget budget, long searchSeed, Path stateFile, String fingerprint,
                 LongSupplier nanoClock) {
        this.space = space;
        this.ladder = ladder;
        this.budget = budget;
        this.searchSeed = searchSeed;
        this.stateFile = stateFile;
        this.fingerprint = fingerprint + "|" + ladder + "|seed " + searchSeed + "|" + space.toJson().replaceAll("\\s+", "")
                + (space.start() != null ? "|start " + space.start() : "");
        this.nanoClock = nanoClock;
    }

    /** The configuration of trial {@code id}: the space's start for trial 1 when it has one, else a pure function of the search seed and the id. */
    public Trial newTrial(int id) {
        if (id == 1 && space.start() != null) return new Trial(id, space.start());
        return new Trial(id, space.sample(new SplittableRandom(searchSeed + 0x9E3779B97F4A7C15L * id)));
    }

    /**
     * Runs (or continues) the search and finishes the winner.
     *
     * @throws IOException when the state file cannot be read or written
     * @throws Exception   what the objective throws, other than a trial's own failure (then the state is saved first)
     */
    public Result run(Objective objective, TuneListener listener) throws Exception {
        TuneState state = TuneState.load(stateFile, fingerprint);
        if (state == null) {
            state = new TuneState(fingerprint);
        } else {
            budget.resumeFrom(state.spentSeconds);
            listener.onMessage(String.format("resuming the search from %s: %d trials, %.0f s spent", stateFile, state.trials.size(),
                    state.spentSeconds));
        }
        while (true) {
            Trial trial;
            int target;
            if (state.pendingTrial != 0) {
                trial = find(state, state.pendingTrial);
                target = state.pendingTarget;
            } else if (state.searchDone) {
                Trial best = leader(state.trials);
                if (best == null) throw new IllegalStateException("no trial trained: every one failed (see the leaderboard)");
                if (best.finished) break;
                trial = best;
                target = ladder.maxEpochs();
                listener.onMessage("finishing the leader, trial " + best.id + ", to the end");
            } else {
                Trial p = ladder.promotable(state.trials);
                if (p != null) {
                    trial = p;
                    target = ladder.epochsAt(p.rung() + 1);
                } else if (budget.mayStartTrial(state.trials.size())) {
                    trial = newTrial(state.trials.size() + 1);
                    target = ladder.epochsAt(0);
                } else {
                    state.searchDone = true;
                    continue;
                }
                if (!budget.fits(Budget.estimate(trial, target - trial.epochs, state.trials), reserve(state.trials, trial, target))) {
                    state.searchDone = true;
                    continue;
                }
                if (!state.trials.contains(trial)) state.trials.add(trial);
            }
            state.pendingTrial = trial.id;
            state.pendingTarget = target;
            save(state);
            runJob(state, trial, target, objective, listener);
            state.pendingTrial = 0;
            state.pendingTarget = 0;
            save(state);
        }
        save(state);
        return new Result(leaderboard(state.trials), leader(state.trials), state.spentSeconds);
    }

    private void runJob(TuneState state, Trial trial, int target, Objective objective, TuneListener listener) throws Exception {
        listener.onJobStart(trial, target, trial.epochs > 0, budget.left());
        long t0 = nanoClock.getAsLong();
        try {
            Objective.Outcome o = objective.advance(trial, target, (epoch, score, seconds) -> listener.onEpoch(trial, epoch, score, budget.left()));
            trial.epochs = o.epochs();
            trial.best = o.best();
            trial.bestEpoch = o.bestEpoch();
            // Also finished when it could not reach the target (its own epoch limit is lower): never promote it again.
            trial.finished = o.stoppedEarly() || o.epochs() >= ladder.maxEpochs() || o.epochs() < target;
            int reached = o.stoppedEarly() ? ladder.rungOf(target) : ladder.rungOf(o.epochs());
            while (trial.rungScores.size() <= reached) trial.rungScores.add(o.best());
        } catch (TrainingDivergedException | IllegalArgumentException e) {
            trial.failure = e.getMessage();
            trial.finished = true;
            trial.best = Double.NEGATIVE_INFINITY;
        } catch (Exception | Error e) {
            state.spentSeconds = budget.spent();
            save(state); // the job stays pending: a restart runs it again from the trial's last checkpoint
            throw e;
        } finally {
            trial.seconds += (nanoClock.getAsLong() - t0) / 1e9;
        }
        state.spentSeconds = budget.spent();
        listener.onJobDone(trial, budget.left());
        // Kept: the leader, and the best finished trial, which leads if every unfinished one ahead of it fails later.
        Trial leader = leader(state.trials);
        Trial bestFinished = leader(state.trials.stream().filter(t -> t.finished).toList());
        for (Trial t : state.trials) {
            if (t.finished && t != leader && t != bestFinished && !t.discarded) {
                objective.discard(t);
                t.discarded = true;
            }
        }
    }

    /** Time kept back to finish the leader after this job: its epochs still to go to the last rung, at its pace. */
    private double reserve(List<Trial> trials, Trial job, int target) {
        Trial leader = leader(trials);
        if (leader == null || leader.finished) return 0;
        int done = leader == job ? target : leader.epochs;
        return Budget.estimate(leader, ladder.maxEpochs() - done, trials);
    }

    private void save(TuneState state) throws IOException {
        state.spentSeconds = budget.spent();
        state.save(stateFile);
    }

    private static Trial find(TuneState state, int id) throws IOException {
        for (Trial t : state.trials) if (t.id == id) return t;
        throw new IOException("tune state names a pending trial " + id + " it does not hold");
    }

    /** The trial with the best validation score (ties: the one with more epochs, then the lower id), or null. */
    static Trial leader(List<Trial> trials) {
        List<Trial> board = leaderboard(trials);
        return board.isEmpty() || board.get(0).failure != null || board.get(0).epochs == 0 ? null : board.get(0);
    }

    /** Best first; failed and untrained trials last. */
    public static List<Trial> leaderboard(List<Trial> trials) {
        List<Trial> board = new ArrayList<>(trials);
        board.sort(Comparator.comparing((Trial t) -> t.failure != null || t.epochs == 0)
                .thenComparing(Comparator.comparingDouble((Trial t) -> t.best).reversed())
                .thenComparing(Comparator.comparingInt((Trial t) -> t.epochs).reversed())
                .thenComparingInt(t -> t.id));
        return board;
    }
}
