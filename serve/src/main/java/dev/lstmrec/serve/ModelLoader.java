package dev.lstmrec.serve;

import dev.lstmrec.engine.api.Recommender;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Makes a {@link Recommender} from a model file for a hot swap (typically on a backend of its own, since backends are
 * not thread-safe and the old model keeps scoring while the new one warms up). The server closes what it returns once
 * that model is swapped out and idle. Failures are refusals: the old model keeps serving.
 */
@FunctionalInterface
public interface ModelLoader {
    Recommender load(Path file) throws IOException;
}
