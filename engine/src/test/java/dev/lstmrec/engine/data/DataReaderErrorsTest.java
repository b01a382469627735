package dev.lstmrec.engine.data;

import static dev.lstmrec.engine.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Malformed input: every failure names the file and the 1-based line, in the exact "file:line: problem" form. */
class DataReaderErrorsTest {
    @TempDir
    Path dir;

    private DataFormatException fails(String name, String content, ReadOptions opts) throws IOException {
        Path p = write(dir, name, content);
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(p, opts));
        assertEquals(p, e.file());
        return e;
    }

    @Test
    void wrongFieldCountGivesTheExactMessage() throws IOException {
        String text = "userId,movieId,rating,timestamp\n1,10,4.5,300\n\n1,20,3\n";
        DataFormatException e = fails("ratings.csv", text, ReadOptions.of(Format.ML_CSV));
        assertEquals(4, e.line()); // the blank line counts
        assertEquals(dir.resolve("ratings.csv") + ":4: expected 4 fields separated by ',' but found 3", e.getMessage());
        assertEquals("expected 4 fields separated by ',' but found 3", e.problem());
    }

    @Test
    void tooManyFields() throws IOException {
        DataFormatException e = fails("u.data", "1\t2\t3\t4\n1\t2\t3\t4\t5\n", ReadOptions.of(Format.ML100K));
        assertEquals(dir.resolve("u.data") + ":2: expected 4 fields separated by tabs but found 5", e.getMessage());
    }

    @Test
    void nonNumericTime() throws IOException {
        DataFormatException e = fails("u.data", "1\t2\t3\t100\n1\t2\t3\tyesterday\n", ReadOptions.of(Format.ML100K));
        assertEquals(dir.resolve("u.data") + ":2: time 'yesterday' is not a number", e.getMessage());
    }

    @Test
    void timeOutOfRange() throws IOException {
        DataFormatException e = fails("u.data", "1\t2\t3\t99999999999999999\n", ReadOptions.of(Format.ML100K));
        assertEquals(dir.resolve("u.data") + ":1: time '99999999999999999' is out of range", e.getMessage());
    }

    @Test
    void nonNumericRating() throws IOException {
        DataFormatException e = fails("ratings.dat", "1::2::five::100\n", ReadOptions.of(Format.ML1M));
        assertEquals(dir.resolve("ratings.dat") + ":1: rating 'five' is not a number", e.getMessage());
    }

    @Test
    void emptyIds() throws IOException {
        DataFormatException u = fails("ratings.dat", "1::2::5::100\n::2::5::100\n", ReadOptions.of(Format.ML1M));
        assertEquals(dir.resolve("ratings.dat") + ":2: empty user id", u.getMessage());
        DataFormatException i = fails("u.data", "1\t \t5\t100\n", ReadOptions.of(Format.ML100K));
        assertEquals(dir.resolve("u.data") + ":1: empty item id", i.getMessage());
    }

    @Test
    void csvWithoutItsHeader() throws IOException {
        DataFormatException e = fails("ratings.csv", "1,10,4.5,300\n", ReadOptions.of(Format.ML_CSV));
        assertTrue(e.getMessage().startsWith(dir.resolve("ratings.csv") + ":1: expected the header userId,movieId,rating,timestamp"),
                e.getMessage());
    }

    @Test
    void gru4recHeaderMissingAColumn() throws IOException {
        DataFormatException e = fails("s.tsv", "SessionId\tItemId\n1\t2\n", ReadOptions.of(Format.GRU4REC));
        assertTrue(e.getMessage().contains(":1: expected a tab-separated header with SessionId, ItemId and Time"), e.getMessage());
    }

    @Test
    void genericDelimiterThatCannotBeDetected() throws IOException {
        ReadOptions opts = ReadOptions.builder().columns("user,item,time").build();
        DataFormatException e = fails("d.txt", "1 2 3\n", opts);
        assertTrue(e.getMessage().contains(":1: no delimiter among tab, ',' and ';' splits"), e.getMessage());
    }

    @Test
    void missingFileIsNamed() {
        Path p = dir.resolve("nope.csv");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> DataReader.read(p));
        assertEquals(p + ": data file not found", e.getMessage());
    }

    @Test
    void brokenGzipNamesTheFile() throws IOException {
        Path p = write(dir, "u.data.gz", "this is not gzip\n");
        IOException e = assertThrows(IOException.class, () -> DataReader.read(p));
        assertEquals(p + ": not a readable gzip file: Not in GZIP format", e.getMessage());
    }

    @Test
    void emptyFile() throws IOException {
        DataFormatException e = fails("u.data", "\n  \n", ReadOptions.of(Format.ML100K));
        assertEquals(0, e.line());
        assertEquals(dir.resolve("u.data") + ": no interactions found (the file has no data lines)", e.getMessage());
    }

    @Test
    void emptyAfterTheRatingFilterSaysSo() throws IOException {
        ReadOptions opts = ReadOptions.builder().format(Format.ML100K).minRating(4.5).build();
        DataFormatException e = fails("u.data", "1\t2\t3\t100\n1\t3\t4\t100\n", opts);
        assertEquals(dir.resolve("u.data") + ": no interactions left after the minimum rating filter (rating >= 4.5); 2 read",
                e.getMessage());
    }

    @Test
    void emptyAfterTheKCoreFilterSaysSo() throws IOException {
        ReadOptions opts = ReadOptions.builder().format(Format.ML100K).minUserCount(3).build();
        DataFormatException e = fails("u.data", "1\t2\t3\t100\n1\t3\t4\t100\n2\t3\t4\t100\n", opts);
        assertTrue(e.getMessage().startsWith(dir.resolve("u.data") + ": no interactions left after the k-core filter (users with >= 3"),
                e.getMessage());
    }

    @Test
    void ratingFilterOnAFormatWithoutRatingsIsRefused() throws IOException {
        Path p = write(dir, "d.txt", "1 2\n");
        ReadOptions opts = ReadOptions.builder().format(Format.SASREC).minRating(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataReader.read(p, opts));
        assertTrue(e.getMessage().contains("sasrec has no rating column"), e.getMessage());
    }

    @Test
    void badOptionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.of(Format.GENERIC)); // no columns
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().columns("user,time").build());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().columns("user,item,item").build());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().columns("user,item,score").build());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().format(Format.ML100K).delimiter(",").build());
        assertThrows(IllegalArgumentException.class, () -> ReadOptions.builder().minUserCount(-1).build());
    }
}
