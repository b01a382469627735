package dev.lstmrec.engine.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The three MovieLens title files, including Latin-1 text and quoted CSV titles. */
class ItemTitlesTest {
    @TempDir
    Path dir;

    @Test
    void uItemInLatin1() throws IOException {
        Path p = dir.resolve("u.item");
        String text = "1|Toy Story (1995)|01-Jan-1995||http://x|0|0|1\n2|Belle \u00e9poque (1992)|01-Jan-1992||http://y|0|1|0\n";
        Files.write(p, text.getBytes(StandardCharsets.ISO_8859_1));
        Map<String, String> t = ItemTitles.read(p);
        assertEquals(Map.of("1", "Toy Story (1995)", "2", "Belle \u00e9poque (1992)"), t);
    }

    @Test
    void moviesDat() throws IOException {
        Path p = TestFiles.write(dir, "movies.dat", "1::Toy Story (1995)::Animation|Children's\n2::Jumanji (1995)::Adventure\n");
        assertEquals(Map.of("1", "Toy Story (1995)", "2", "Jumanji (1995)"), ItemTitles.read(p));
    }

    @Test
    void moviesCsvWithQuotedTitles() throws IOException {
        String text = "movieId,title,genres\n1,Toy Story (1995),Animation\n11,\"American President, The (1995)\",Comedy\n"
                + "12,\"Dracula: Dead and Loving It (\"\"Mel Brooks\"\") (1995)\",Comedy\n";
        Map<String, String> t = ItemTitles.read(TestFiles.write(dir, "movies.csv", text));
        assertEquals(List.of("1", "11", "12"), List.copyOf(t.keySet())); // file order
        assertEquals("American President, The (1995)", t.get("11"));
        assertEquals("Dracula: Dead and Loving It (\"Mel Brooks\") (1995)", t.get("12"));
    }

    @Test
    void malformedLinesAndMissingFiles() throws IOException {
        Path csv = TestFiles.write(dir, "movies.csv", "movieId,title,genres\n1,\"Open quote,Comedy\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> ItemTitles.read(csv));
        assertEquals(csv + ":2: unbalanced quotes", e.getMessage());
        Path item = TestFiles.write(dir, "u.item", "1|A\n2\n");
        assertEquals(item + ":2: expected at least 2 fields separated by '|' but found 1",
                assertThrows(DataFormatException.class, () -> ItemTitles.read(item)).getMessage());
        NoSuchFileException n = assertThrows(NoSuchFileException.class, () -> ItemTitles.read(dir.resolve("none")));
        assertTrue(n.getMessage().contains("titles file not found"), n.getMessage());
    }
}
