package dev.lstmrec.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The real MovieLens 100K, when the shared copy exists at {@code ../shared/data/ml-100k} beside the project root
 * (found by walking up from the working directory); never copied into the project. Checked against the counts in
 * its README (943 users, 1,682 items, 100,000 ratings; longest sequence 737).
 */
class MovieLens100kTest {
    static Optional<Path> find(String file) {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            Path p = d.resolve("shared/data/ml-100k").resolve(file);
            if (Files.isRegularFile(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    @Test
    void readsTheShapeTheReadmeGives() throws IOException {
        Optional<Path> file = find("u.data");
        assumeTrue(file.isPresent(), "MovieLens 100K not found at ../shared/data/ml-100k/u.data above "
                + Path.of("").toAbsolutePath() + "; skipped");
        Dataset d = DataReader.read(file.get()); // format detected
        assertEquals(943, d.numUsers());
        assertEquals(1682, d.numItems());
        assertEquals(100_000, d.numInteractions());
        assertEquals(737, d.maxSequenceLength());
        Split split = LeaveOneOut.split(d);
        assertEquals(943, split.numEvaluated()); // every user rated at least 20 movies

        Dataset core = DataReader.read(file.get(), ReadOptions.builder().format(Format.ML100K).minRating(4).minItemCount(5).build());
        // 55,375 ratings are >= 4; dropping items with fewer than 5 of them leaves 54,427 (counted with awk)
        assertEquals(54_427, core.numInteractions());
    }

    @Test
    void aByteOrderMarkAddsNoPhantomUser(@org.junit.jupiter.api.io.TempDir Path dir) throws IOException {
        Optional<Path> file = find("u.data");
        assumeTrue(file.isPresent(), "MovieLens 100K u.data not found; skipped");
        byte[] data = Files.readAllBytes(file.get());
        byte[] withBom = new byte[data.length + 3];
        System.arraycopy(Utf8Lines.BOM, 0, withBom, 0, 3);
        System.arraycopy(data, 0, withBom, 3, data.length);
        Path copy = Files.write(dir.resolve("u.data"), withBom);
        Dataset d = DataReader.read(copy);
        assertEquals(943, d.numUsers()); // 944 when the mark was glued to the first user id
        assertEquals(TestFiles.render(DataReader.read(file.get())), TestFiles.render(d));
    }

    @Test
    void titles() throws IOException {
        Optional<Path> file = find("u.item");
        assumeTrue(file.isPresent(), "MovieLens 100K u.item not found; skipped");
        Map<String, String> t = ItemTitles.read(file.get());
        assertEquals(1682, t.size());
        assertEquals("Toy Story (1995)", t.get("1"));
    }
}
