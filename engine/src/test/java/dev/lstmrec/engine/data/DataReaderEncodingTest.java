package dev.lstmrec.engine.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * How bytes become text: a UTF-8 byte-order mark is skipped in every format (detected or named, plain or gzipped),
 * invalid UTF-8 is a data error on its exact line, line ends and long lines behave as BufferedReader's did. The
 * oracle for the BOM cases is the same file without the mark.
 */
class DataReaderEncodingTest {
    private static final String BOM = "\uFEFF";

    @TempDir
    Path dir;

    /** One small file per format, in the layout of DataReaderFormatsTest, and the options naming its format. */
    private static final Map<String, ReadOptions> FILES = Map.of(
            "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n", ReadOptions.of(Format.ML100K),
            "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978300000\n", ReadOptions.of(Format.ML1M),
            "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n1,1029,3.0,1260759179\n2,31,4.0,1260759100\n",
            ReadOptions.of(Format.ML_CSV),
            "SessionId\tItemId\tTime\n1\t214536502\t1396839069.277\n1\t214536500\t1396839249.868\n2\t214536502\t1396839000.1\n",
            ReadOptions.of(Format.GRU4REC),
            "1 5\n1 7\n2 5\n", ReadOptions.of(Format.SASREC),
            "who;what\n7;a\n7;b\n8;a\n", ReadOptions.builder().format(Format.GENERIC).columns("user,item").delimiter(";").header(true).build());

    @Test
    void aByteOrderMarkIsSkippedInEveryFormatDetectedOrNamedPlainOrGzipped() throws IOException {
        int n = 0;
        for (Map.Entry<String, ReadOptions> e : FILES.entrySet()) {
            String text = e.getKey();
            ReadOptions named = e.getValue();
            String expected = TestFiles.render(DataReader.read(TestFiles.write(dir, "plain" + n, text), named));
            boolean detectable = named.format() != Format.GENERIC;
            for (ReadOptions opts : detectable ? new ReadOptions[] {named, ReadOptions.defaults()} : new ReadOptions[] {named}) {
                Path bom = TestFiles.write(dir, "bom" + n, BOM + text);
                assertEquals(expected, TestFiles.render(DataReader.read(bom, opts)), named.format() + " with a BOM, read as " + opts.format());
                Path gz = dir.resolve("bom" + n + ".gz");
                Files.write(gz, gzip((BOM + text).getBytes(StandardCharsets.UTF_8)));
                assertEquals(expected, TestFiles.render(DataReader.read(gz, opts)), named.format() + " gzipped with a BOM");
            }
            n++;
        }
    }

    @Test
    void aCsvWithAByteOrderMarkIsStillDetected() throws IOException {
        Path p = TestFiles.write(dir, "ratings.csv", BOM + "userId,movieId,rating,timestamp\n1,31,2.5,1260759144\n");
        Dataset d = DataReader.read(p);
        assertEquals(1, d.numUsers());
        assertEquals("1", d.userId(0)); // not "\uFEFF1" and not a header taken for data
    }

    @Test
    void onlyALeadingMarkIsSkipped() throws IOException {
        // U+FEFF elsewhere is a (strange but valid) character of an id, kept as written.
        Path p = TestFiles.write(dir, "d.txt", "1 5\n" + BOM + "1 7\n");
        Dataset d = DataReader.read(p, ReadOptions.of(Format.SASREC));
        assertEquals(2, d.numUsers());
        Path onlyBom = TestFiles.write(dir, "empty.txt", BOM + "\n");
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(onlyBom, ReadOptions.of(Format.SASREC)));
        assertEquals(onlyBom + ": no interactions found (the file has no data lines)", e.getMessage());
    }

    @Test
    void invalidUtf8IsADataErrorNamingFileLineAndBytes() throws IOException {
        Path p = dir.resolve("u.data");
        Files.write(p, bytes("1\t2\t3\t100\n", "\r\n", "1\t", new byte[] {(byte) 0xE9}, "t\u00e9\t3\t100\n"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(p, ReadOptions.of(Format.ML100K)));
        assertEquals(3, e.line()); // the blank \r\n line counts
        assertEquals(p + ":3: not valid UTF-8: byte 0xE9 at byte 3 of the line; the file must be UTF-8 text (convert it, e.g. with iconv)",
                e.getMessage());
    }

    @Test
    void distinctIdsThatAReplacementCharacterWouldMergeAreRefused() throws IOException {
        // Latin-1 "café" and "cafè" both became "caf\uFFFD" when malformed input was replaced.
        Path p = dir.resolve("d.txt");
        Files.write(p, bytes("u caf", new byte[] {(byte) 0xE9}, "\nu caf", new byte[] {(byte) 0xE8}, "\n"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(p, ReadOptions.of(Format.SASREC)));
        assertEquals(1, e.line());
        // Valid UTF-8 of the same ids stays two items.
        Path ok = TestFiles.write(dir, "ok.txt", "u caf\u00e9\nu caf\u00e8\nu \u4e2d\ud83d\ude00\n");
        Dataset d = DataReader.read(ok, ReadOptions.of(Format.SASREC));
        assertEquals(3, d.numItems());
        assertEquals("\u4e2d\ud83d\ude00", d.itemId(3));
    }

    @Test
    void lineNumbersStayExactFarIntoAFileAndAcrossBufferBoundaries() throws IOException {
        // 20,000 lines (several 64 KiB buffers) with mixed line ends, then an invalid byte and a truncated sequence.
        StringBuilder sb = new StringBuilder();
        String[] ends = {"\n", "\r\n", "\r"};
        for (int i = 0; i < 20_000; i++) sb.append(i % 97).append(' ').append(i % 13).append(ends[i % 3]);
        for (String last : new String[] {"\u00ff", ""}) {
            Path p = dir.resolve("long" + last.length() + ".txt");
            byte[] tail = last.isEmpty() ? new byte[] {'9', ' ', (byte) 0xE2, (byte) 0x82} : new byte[] {'9', ' ', (byte) 0xFF, '\n'};
            Files.write(p, bytes(sb.toString(), tail));
            DataFormatException e = assertThrows(DataFormatException.class, () -> DataReader.read(p, ReadOptions.of(Format.SASREC)));
            assertEquals(20_001, e.line(), e.getMessage());
        }
        Path ok = TestFiles.write(dir, "ok.txt", sb.toString());
        assertEquals(20_000, DataReader.read(ok, ReadOptions.of(Format.SASREC)).numInteractions());
    }

    @Test
    void aCrLfSplitByTheBufferAndALineLongerThanTheBufferReadAsBufferedReaderDid() throws IOException {
        int bufferSize = 1 << 16;
        StringBuilder sb = new StringBuilder("1 1\n");
        while (sb.length() < bufferSize - 4) sb.append("1 2\n");
        sb.setLength(bufferSize - 4);
        sb.append("1 3\r\n2 ").append("x".repeat(3 * bufferSize)).append("\r\r\n3 4"); // \r\n at bytes 65535-65536
        Path p = TestFiles.write(dir, "edges.txt", sb.toString());
        Dataset d = DataReader.read(p, ReadOptions.of(Format.SASREC));
        assertEquals(3, d.numUsers());
        assertEquals(1 + (bufferSize - 8) / 4 + 1 + 1 + 1, d.numInteractions());
        assertEquals("x".repeat(3 * bufferSize), d.itemId(d.sequence(1)[0]));
    }

    @Test
    void aMinimumRatingOnAFileDetectedAsSasrecNamesTheFileAndTheDetectedFormat() throws IOException {
        Path p = TestFiles.write(dir, "d.txt", "\n1 2\n");
        ReadOptions opts = ReadOptions.builder().minRating(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataReader.read(p, opts));
        assertEquals(p + ": a minimum rating was given but the file's format, detected as sasrec from line 2, has no rating column",
                e.getMessage());
    }

    @Test
    void itemTitlesSkipAByteOrderMark() throws IOException {
        Path p = TestFiles.write(dir, "u.item", BOM + "1|Toy Story (1995)|01-Jan-1995\n2|GoldenEye (1995)|01-Jan-1995\n");
        assertEquals(Map.of("1", "Toy Story (1995)", "2", "GoldenEye (1995)"), ItemTitles.read(p));
        Path csv = TestFiles.write(dir, "movies.csv", BOM + "movieId,title,genres\n1,Toy Story (1995),Comedy\n");
        assertEquals(Map.of("1", "Toy Story (1995)"), ItemTitles.read(csv));
    }

    /** Concatenates strings (as UTF-8) and raw byte arrays. */
    private static byte[] bytes(Object... parts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) out.write(part instanceof byte[] b ? b : ((String) part).getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    private static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(data);
        }
        return out.toByteArray();
    }
}
