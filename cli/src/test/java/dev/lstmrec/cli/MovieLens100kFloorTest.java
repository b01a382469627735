package dev.lstmrec.cli;

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.api.LstmRec;
import dev.lstmrec.engine.data.SharedData;
import dev.lstmrec.engine.eval.Metric;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A quality floor on the real MovieLens 100K (required under CI, see SharedData): a short run of the defaults on the
 * fastest backend here must rank the held-out items at least 1.5 times as well as popularity (test HR@10), so a
 * regression anywhere in reading, splitting, training or evaluation fails the build rather than only a benchmark. The
 * defaults learn ML-100K slowly (bench/RESULTS.md): 12 epochs give 1.79x (0.1538 against 0.0859), 60 about 2.7x; a
 * pipeline that stops learning gives 1x or less.
 */
class MovieLens100kFloorTest {
    static final int EPOCHS = 12;

    @Test
    void aShortRunOfTheDefaultsBeatsPopularityClearly() throws Exception {
        Experiment.Result r = LstmRec.trainer().data(SharedData.require("ml-100k/u.data")).epochs(EPOCHS).patience(0).train();
        double model = r.test().get(Metric.HR, 10), popularity = r.popularity().get(Metric.HR, 10);
        assertTrue(model >= 1.5 * popularity, String.format("test HR@10 %.4f after %d epochs, popularity %.4f (backend %s)", model, EPOCHS,
                popularity, r.model().info().get("backend")));
    }
}
