package dev.lstmrec.engine.eval;

import dev.lstmrec.engine.api.Experiment;
import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import dev.lstmrec.engine.data.Format;
import dev.lstmrec.engine.data.LeaveOneOut;
import dev.lstmrec.engine.data.ReadOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The popularity baseline's counts come only from what precedes the test targets (training parts, and the
 * validation targets, which are part of every test history as the README's protocol says); a test target is never
 * counted, so the baseline cannot see the answers.
 */
class PopularityCountsTest {
    @TempDir
    Path dir;

    @Test
    void testTargetsAreNeverCounted() throws IOException {
        // SASRec lines in time order. u1: train a b, validation c, test x; u2: train a, validation c, test y;
        // u3 (2 items, not evaluated): a z, all training.
        Path f = Files.writeString(dir.resolve("d.txt"), "u1 a\nu1 b\nu1 c\nu1 x\nu2 a\nu2 c\nu2 y\nu3 a\nu3 z\n");
        Dataset d = DataReader.read(f, ReadOptions.of(Format.SASREC));
        long[] counts = Experiment.popularityCounts(d.numItems(), LeaveOneOut.split(d));
        assertEquals(3, counts[item(d, "a")]);
        assertEquals(1, counts[item(d, "b")]);
        assertEquals(2, counts[item(d, "c")]); // validation targets: in the test histories
        assertEquals(1, counts[item(d, "z")]);
        assertEquals(0, counts[item(d, "x")]); // test targets
        assertEquals(0, counts[item(d, "y")]);
        assertEquals(0, counts[0]);
    }

    private static int item(Dataset d, String id) {
        for (int i = 1; i <= d.numItems(); i++) if (d.itemId(i).equals(id)) return i;
        throw new AssertionError("no item " + id);
    }
}
