package dev.lstmrec.spark;

import dev.lstmrec.engine.data.DataReader;
import dev.lstmrec.engine.data.Dataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Spark SQL data preparation gives the single-machine reader's item and user numbering and time-ordered, tie-stable sequences. */
class SparkDataTest {
    @TempDir
    Path dir;

    @Test
    void preparationEqualsTheSingleMachineReader() throws Exception {
        Path file = TestSpark.writeLog(dir, 40, 30, 2, 25, 7);
        Dataset single = DataReader.read(file);
        SparkData.Prepared prepared = SparkData.prepare(TestSpark.read(file), "user", "item", "timestamp");

        List<String> items = new ArrayList<>();
        for (int i = 1; i <= single.numItems(); i++) items.add(single.itemId(i));
        assertEquals(items, prepared.itemIds(), "item numbering (first appearance)");
        List<UserSequence> users = new ArrayList<>(prepared.sequences().collect());
        users.sort((a, b) -> Long.compare(a.user(), b.user()));
        assertEquals(single.numUsers(), users.size());
        for (int u = 0; u < single.numUsers(); u++) {
            assertEquals(single.userId(u), users.get(u).userId(), "user numbering (first appearance)");
            assertArrayEquals(single.sequence(u), users.get(u).items(), "time order with ties in file order, user " + u);
        }
    }
}
