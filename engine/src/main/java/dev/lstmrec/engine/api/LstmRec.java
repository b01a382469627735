package dev.lstmrec.engine.api;

// The library's front door: training through a builder, loading models, recommending, reading data, each a thin
// wrapper over the classes the CLI uses (Experiment, SavedModel, Recommender, DataReader). Checked by LstmRecTest
// and LibraryExampleTest (the code of docs/library.md).

import dev.lstmrec.engine.backend.Backend;
import dev.lstmrec.engine.backend.BackendOptions;
import dev.lstmrec.engine.backend.Backends;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.ReadOptions;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Entry points of lstmrec as a library.
 *
 * <pre>{@code
 * Experiment.Result r = LstmRec.trainer().data(Path.of("u.data")).epochs(20).train();
 * r.model().save(Path.of("ml100k.lstmrec"));
 * try (Recommender rec = LstmRec.recommender(Path.of("ml100k.lstmrec"), "auto")) {
 *     List<Recommendation> top = rec.recommend(List.of("50", "172", "181"), 10);
 * }
 * }</pre>
 *
 * See {@code docs/library.md}.
 */
public final class LstmRec {
    private LstmRec() {}

    /** A training run configured like {@code lstmrec train}, with the same defaults ({@link RunOption}). */
    public static TrainingBuilder trainer() {
        return new TrainingBuilder();
    }

    /**
     * An update of {@code model} on events that arrived after it was trained, configured like {@code lstmrec update}
     * (the settings of {@code train}, the network's shape the model's).
     */
    public static UpdateBuilder updater(SavedModel model) {
        return new UpdateBuilder(model);
    }

    /**
     * A time-ordered replay of {@code log} ({@code lstmrec backtest}): train on the first part of time, then score and
     * update chunk by chunk per {@link Backtest.Mode}.
     */
    public static Backtest backtest(Dataset log) {
        return new Backtest(log);
    }

    /**
     * Reads an interaction log with the readers of {@code lstmrec train --data}.
     *
     * @throws dev.lstmrec.engine.data.DataFormatException for a malformed line (the message names file and line)
     * @throws IOException                                 when the file cannot be read
     */
    public static Dataset read(Path file, ReadOptions options) throws IOException {
        return DataReader.read(file, options);
    }

    /**
     * Loads a model written by {@code lstmrec train} or {@link SavedModel#save}.
     *
     * @throws dev.lstmrec.engine.io.CheckpointFormatException when the file is truncated, corrupted, foreign or newer
     */
    public static SavedModel load(Path model) throws IOException {
        return SavedModel.load(model);
    }

    /**
     * A thread-safe recommender over the model in {@code model}, computing on the backend {@code backend}
     * ({@code "auto"}, a provider name such as {@code "scalar"} or {@code "simd"}, or null for the configured
     * default, see {@link Backends#requestedName}) with all cores. Close it to release the backend.
     *
     * @throws dev.lstmrec.engine.backend.BackendUnavailableException when the named backend cannot run here
     */
    public static Recommender recommender(Path model, String backend) throws IOException {
        return recommender(load(model), backend, BackendOptions.defaults());
    }

    /**
     * A thread-safe recommender over a model already in memory, on a backend created with {@code options}. The
     * recommender owns the backend: {@link Recommender#close()} closes it.
     */
    public static Recommender recommender(SavedModel model, String backend, BackendOptions options) {
        Backend b = Backends.create(backend, options);
        try {
            return Recommender.owning(model, b);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }
}
