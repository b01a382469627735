package dev.lstmrec.engine.data;

import static dev.lstmrec.engine.data.TestFiles.render;
import static dev.lstmrec.engine.data.TestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every format on a small hand-written file, read explicitly and auto-detected, checked against hand-sorted sequences. */
class DataReaderFormatsTest {
    @TempDir
    Path dir;

    // user 1: times 300, 100, 200 -> items 20, 30, 10; user 2: a tie at time 100 keeps file order 20, 10.
    private static final String ML100K = "1\t10\t5\t300\n2\t20\t3\t100\n1\t20\t4\t100\n\n1\t30\t1\t200\n2\t10\t2\t100\n";
    private static final String EXPECTED = "1:20,30,10 2:20,10";

    private Dataset read(String name, String content, Format format) throws IOException {
        return DataReader.read(write(dir, name, content), ReadOptions.of(format));
    }

    @Test
    void ml100kSortsByTimeAndNumbersByFirstAppearance() throws IOException {
        Dataset d = read("u.data", ML100K, Format.ML100K);
        assertEquals(EXPECTED, render(d));
        assertEquals(2, d.numUsers());
        assertEquals(3, d.numItems());
        assertEquals(5, d.numInteractions());
        assertEquals("10", d.itemId(1)); // first appearance in the file, not in time order
        assertEquals("20", d.itemId(2));
        assertEquals("30", d.itemId(3));
        assertArrayEquals(new int[] {2, 3, 1}, d.sequence(0));
        assertEquals(OptionalInt.of(1), d.userIndex("2"));
        assertEquals(OptionalInt.of(3), d.itemIndex("30"));
        assertTrue(d.itemIndex("99").isEmpty());
        assertTrue(d.source().endsWith("u.data"));
    }

    @Test
    void ml1m() throws IOException {
        String text = "1::10::5::300\n2::20::3::100\n1::20::4::100\n1::30::1::200\n2::10::2::100\n";
        assertEquals(EXPECTED, render(read("ratings.dat", text, Format.ML1M)));
        assertEquals(EXPECTED, render(read("ratings.dat", text, Format.AUTO)));
    }

    @Test
    void movieLensCsvWithDecimalRatings() throws IOException {
        String text = "userId,movieId,rating,timestamp\n1,10,4.5,300\n2,20,3.0,100\n1,20,0.5,100\n1,30,1.5,200\n2,10,2.5,100\n";
        assertEquals(EXPECTED, render(read("ratings.csv", text, Format.ML_CSV)));
        assertEquals(EXPECTED, render(read("ratings.csv", text, Format.AUTO)));
    }

    @Test
    void gru4recHeaderInAnyOrderWithDecimalTimes() throws IOException {
        // 30 precedes 10 by a fraction of a second: decimal times must order below one second.
        String text = "ItemId\tTime\tSessionId\n10\t1396321232.9\t1\n20\t1396321200\t2\n20\t1396321100.0\t1\n"
                + "30\t1396321232.2\t1\n10\t1396321200\t2\n";
        assertEquals(EXPECTED, render(read("train.tsv", text, Format.GRU4REC)));
        assertEquals(EXPECTED, render(read("train.tsv", text, Format.AUTO)));
    }

    @Test
    void sasrecKeepsFileOrderWithSpacesOrTabs() throws IOException {
        String text = "1 20\n2\t20\n1   30\n1 10\n2 10\n";
        assertEquals(EXPECTED, render(read("data.txt", text, Format.SASREC)));
        assertEquals(EXPECTED, render(read("data.txt", text, Format.AUTO)));
    }

    @Test
    void genericDetectsSemicolonAndSkipsIgnoredColumns() throws IOException {
        String text = "1;x;10;300\n2;x;20;100\n1;x;20;100\n1;x;30;200\n2;x;10;100\n";
        Path p = write(dir, "data.txt", text);
        Dataset d = DataReader.read(p, ReadOptions.builder().format(Format.GENERIC).columns("user,_,item,time").build());
        assertEquals(EXPECTED, render(d));
    }

    @Test
    void genericWithGivenDelimiterHeaderAndRatingFilter() throws IOException {
        String text = "item|who|stars|when\n10|1|5|300\n20|2|3|100\n20|1|4|100\n30|1|1|200\n10|2|2|100\n";
        Path p = write(dir, "data.psv", text);
        ReadOptions opts = ReadOptions.builder().columns("item,user,rating,time").delimiter("|").header(true).minRating(3).build();
        assertEquals(Format.GENERIC, opts.format()); // columns without a format mean generic
        assertEquals("1:20,10 2:20", render(DataReader.read(p, opts)));
    }

    @Test
    void genericWithoutTimeKeepsFileOrder() throws IOException {
        Path p = write(dir, "pairs.csv", "a,z\nb,y\na,y\n");
        Dataset d = DataReader.read(p, ReadOptions.builder().columns("user,item").build());
        assertEquals("a:z,y b:y", render(d));
    }

    @Test
    void gzipIsDecompressed() throws IOException {
        Path p = dir.resolve("u.data.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(ML100K.getBytes(StandardCharsets.UTF_8));
        }
        assertEquals(EXPECTED, render(DataReader.read(p)));
    }

    @Test
    void autoDetectsMl100kFromTheFirstLine() throws IOException {
        assertEquals(EXPECTED, render(read("anything.txt", "\n" + ML100K, Format.AUTO)));
    }

    @Test
    void autoRefusesAnAmbiguousFirstLine() throws IOException {
        Path p = write(dir, "odd.txt", "\n1,2,3\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(p));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().startsWith(p + ":2: cannot detect the format"), e.getMessage());
        assertTrue(e.getMessage().contains("name the format (one of auto"), e.getMessage());
    }

    @Test
    void ratingFastPathAgreesWithParseDouble() {
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 20_000; i++) {
            String s = r.nextInt(100_000) + (r.nextBoolean() ? "" : "." + r.nextInt(1_000_000));
            assertEquals(Double.parseDouble(s), DataReader.simpleDecimal(s), s);
        }
        for (String other : new String[] {"", "-1", "1.", ".5", "1e3", "1.2.3", "NaN", "12345678901234567890"}) {
            assertTrue(Double.isNaN(DataReader.simpleDecimal(other)), other);
        }
    }

    @Test
    void formatNamesRoundTrip() {
        for (Format f : Format.values()) assertEquals(f, Format.fromCliName(f.cliName()));
        assertEquals(Format.ML100K, Format.fromCliName(" ML-100K "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Format.fromCliName("ml-25m"));
        assertTrue(e.getMessage().contains("ml-100k, ml-1m"), e.getMessage());
    }
}
