package dev.lstmrec.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The real MovieLens 100K from the shared copy ({@link SharedData}: required under CI, skipped visibly elsewhere). Checked against the counts in
 * its README (943 users, 1,682 items, 100,000 ratings; longest sequence 737).
 */
class MovieLens100kTest {
    @Test
    void readsTheShapeTheReadmeGives() throws IOException {
        Path file = SharedData.require("ml-100k/u.data");
        Dataset d = DataReader.read(file); // format detected
        assertEquals(943, d.numUsers());
        assertEquals(1682, d.numItems());
        assertEquals(100_000, d.numInteractions());
        assertEquals(737, d.maxSequenceLength());
        Split split = LeaveOneOut.split(d);
        assertEquals(943, split.numEvaluated()); // every user rated at least 20 movies

        Dataset core = DataReader.read(file, ReadOptions.builder().format(Format.ML100K).minRating(4).minItemCount(5).build());
        // 55,375 ratings are >= 4; dropping items with fewer than 5 of them leaves 54,427 (counted with awk)
        assertEquals(54_427, core.numInteractions());
    }

    @Test
    void aByteOrderMarkAddsNoPhantomUser(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Path file = SharedData.require("ml-100k/u.data");
        byte[] data = Files.readAllBytes(file);
        byte[] withBom = new byte[data.length + 3];
        System.arraycopy(Utf8Lines.BOM, 0, withBom, 0, 3);
        System.arraycopy(data, 0, withBom, 3, data.length);
        Path copy = Files.write(dir.resolve("u.data"), withBom);
        Dataset d = DataReader.read(copy);
        assertEquals(943, d.numUsers()); // 944 when the mark was glued to the first user id
        assertEquals(TestFiles.render(DataReader.read(file)), TestFiles.render(d));
    }

    @Test
    void titles() throws IOException {
        Map<String, String> t = ItemTitles.read(SharedData.require("ml-100k/u.item"));
        assertEquals(1682, t.size());
        assertEquals("Toy Story (1995)", t.get("1"));
    }
}
