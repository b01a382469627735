package dev.lstmrec.engine.io;

// Checks CheckpointFile: exact round trips of random tensors, strings and metadata; that every truncation
// point and every single flipped byte of a small file raise CheckpointFormatException; the documented messages
// for bad magic, newer versions and missing entries; and that corrupted length fields cannot force a huge
// allocation. Byte offsets used here are the ones documented in docs/checkpoint-format.md.

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFileTest {
    @TempDir Path dir;

    private static float[] randomFloats(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian() * 3 + 0.25f;
        return a;
    }

    private static int[] randomInts(Random r, int n) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = r.nextInt();
        return a;
    }

    private static Checkpoint small() {
        Random r = new Random(7);
        return Checkpoint.builder()
                .meta("model", "lstm")
                .meta("hidden", "8")
                .strings("items", List.of("i1", "ítem-2", "商品3"))
                .strings("empty", List.of())
                .floats("w", randomFloats(r, 6), 2, 3)
                .ints("ids", new int[] {5, -1, 7})
                .build();
    }

    private Path writeSmall() throws IOException {
        Path f = dir.resolve("small.ckpt");
        CheckpointFile.write(f, small());
        return f;
    }

    private static void assertSameContent(Checkpoint want, Checkpoint got) {
        assertEquals(want.meta(), got.meta());
        assertEquals(new ArrayList<>(want.meta().keySet()), new ArrayList<>(got.meta().keySet()));
        assertEquals(want.strings(), got.strings());
        assertEquals(new ArrayList<>(want.strings().keySet()), new ArrayList<>(got.strings().keySet()));
        assertEquals(new ArrayList<>(want.shapes().keySet()), new ArrayList<>(got.shapes().keySet()));
        for (String name : want.shapes().keySet()) {
            assertArrayEquals(want.shapes().get(name), got.shapes().get(name), name);
        }
        assertEquals(want.floats().keySet(), got.floats().keySet());
        for (String name : want.floats().keySet()) {
            // bit-exact, so NaN payloads and -0.0 survive too
            float[] a = want.floats().get(name), b = got.floats().get(name);
            assertEquals(a.length, b.length, name);
            for (int i = 0; i < a.length; i++) {
                assertEquals(Float.floatToRawIntBits(a[i]), Float.floatToRawIntBits(b[i]), name + "[" + i + "]");
            }
        }
        assertEquals(want.ints().keySet(), got.ints().keySet());
        for (String name : want.ints().keySet()) assertArrayEquals(want.ints().get(name), got.ints().get(name));
    }

    @Test
    void roundTripsRandomContentExactly() throws IOException {
        Random r = new Random(42);
        List<String> items = new ArrayList<>();
        for (int i = 0; i < 5000; i++) items.add("item-" + i + (i % 7 == 0 ? "-ünï-😀" : ""));
        float[] special = {0f, -0f, Float.NaN, Float.intBitsToFloat(0x7fc00123), Float.POSITIVE_INFINITY,
            Float.MIN_VALUE, -Float.MAX_VALUE, 1e-40f};
        Checkpoint cp = Checkpoint.builder()
                .meta("config", "{\"hidden\":64}")
                .meta("", "empty key")
                .meta("unicode ✓", "line1\nline2\u0000end")
                .strings("items", items)
                .strings("users", List.of("u1", "", "u3"))
                .strings("none", List.of())
                // odd sizes that straddle the 64 KiB I/O chunk (16384 floats)
                .floats("embedding", randomFloats(r, 16385 * 3), 16385, 3)
                .ints("counts", randomInts(r, 16383))
                .floats("bias", randomFloats(r, 7))
                .floats("special", special)
                .floats("empty", new float[0], 0, 4)
                .ints("cube", randomInts(r, 2 * 3 * 4), 2, 3, 4)
                .build();
        Path f = dir.resolve("sub/dir/model.ckpt");
        CheckpointFile.write(f, cp);
        Checkpoint back = CheckpointFile.read(f);
        assertSameContent(cp, back);
        assertEquals(f.toString(), back.source());
        assertArrayEquals(cp.floats().get("embedding"), back.requireFloats("embedding", 16385, 3));
    }

    @Test
    void roundTripsEmptyCheckpoint() throws IOException {
        Path f = dir.resolve("empty.ckpt");
        CheckpointFile.write(f, Checkpoint.builder().build());
        assertEquals(CheckpointFile.HEADER_BYTES + 3 * 16 + CheckpointFile.TRAILER_BYTES, Files.size(f));
        Checkpoint back = CheckpointFile.read(f);
        assertTrue(back.meta().isEmpty() && back.strings().isEmpty() && back.shapes().isEmpty());
    }

    @Test
    void headerMatchesTheDocumentedLayout() throws IOException {
        byte[] b = Files.readAllBytes(writeSmall());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertArrayEquals(new byte[] {'L', 'S', 'T', 'M', 'R', 'E', 'C', 0x1A}, Arrays.copyOf(b, 8));
        assertEquals(1, bb.getInt(8));
        assertEquals(0, bb.getInt(12));
        assertEquals(b.length, bb.getLong(16));
        assertEquals("META", new String(b, 24, 4, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(b.length, bb.getLong(b.length - 12));
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        assertEquals((int) crc.getValue(), bb.getInt(b.length - 4));
    }

    @Test
    void everyTruncationIsDetected() throws IOException {
        Path f = writeSmall();
        byte[] full = Files.readAllBytes(f);
        Path t = dir.resolve("truncated.ckpt");
        for (int len = 0; len < full.length; len++) {
            Files.write(t, Arrays.copyOf(full, len));
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(t));
            assertTrue(e.getMessage().startsWith(t.toString() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("truncated"), "length " + len + ": " + e.getMessage());
            if (len >= CheckpointFile.HEADER_BYTES) {
                assertEquals("truncated: expected " + full.length + " bytes, file has " + len, e.problem());
            }
        }
    }

    @Test
    void trailingBytesAreDetected() throws IOException {
        Path f = writeSmall();
        byte[] full = Files.readAllBytes(f);
        Files.write(f, Arrays.copyOf(full, full.length + 1));
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f));
        assertTrue(e.problem().contains("trailing"), e.getMessage());
    }

    @Test
    void everySingleFlippedByteIsDetected() throws IOException {
        Path f = writeSmall();
        byte[] full = Files.readAllBytes(f);
        Path c = dir.resolve("corrupt.ckpt");
        for (int i = 0; i < full.length; i++) {
            for (int mask : new int[] {0x01, 0x80, 0xFF}) {
                byte[] b = full.clone();
                b[i] ^= (byte) mask;
                Files.write(c, b);
                try {
                    Checkpoint got = CheckpointFile.read(c);
                    fail("byte " + i + " ^ " + mask + " went undetected: read " + got.meta());
                } catch (CheckpointFormatException expected) {
                    if (i >= CheckpointFile.HEADER_BYTES) {
                        assertEquals("checksum mismatch: file is corrupted", expected.problem(), "byte " + i);
                    }
                }
            }
        }
    }

    @Test
    void badMagicIsNamed() throws IOException {
        Path f = dir.resolve("notes.txt");
        Files.writeString(f, "hello, this is not a checkpoint at all");
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f));
        assertEquals(f + ": not an lstmrec checkpoint (bad magic)", e.getMessage());
        Files.write(f, new byte[] {'L', 'S', 'X'});
        assertEquals("not an lstmrec checkpoint (bad magic)",
                assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f)).problem());
    }

    @Test
    void newerVersionAsksForAnUpgrade() throws IOException {
        Path f = writeSmall();
        byte[] b = Files.readAllBytes(f);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 7);
        Files.write(f, b);
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f));
        assertEquals("checkpoint format version 7 is newer than this lstmrec supports (1); upgrade lstmrec",
                e.problem());
        // a newer version may lay out everything else differently, so only magic + version are required
        Files.write(f, Arrays.copyOf(b, 12));
        assertTrue(assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f))
                .problem().contains("version 7 is newer"));
    }

    /** Rewrites the CRC so a deliberately inconsistent file gets past the checksum to the structure checks. */
    private static void fixChecksum(byte[] b) {
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - 4);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length - 4, (int) crc.getValue());
    }

    @Test
    void hugeLengthFieldsAreRejectedWithoutAllocating() throws IOException {
        Path f = dir.resolve("lies.ckpt");
        Checkpoint cp = Checkpoint.builder().meta("k", "v").strings("items", List.of("a")).build();
        CheckpointFile.write(f, cp);
        byte[] good = Files.readAllBytes(f);
        ByteBuffer view = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        // offsets: 24 META tag, 28 META length, 36 entry count, 40 key length
        int[][] lies = {{36, -1}, {40, Integer.MAX_VALUE}, {40, -8}, {28, Integer.MAX_VALUE}};
        for (int[] lie : lies) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(lie[0], lie[1]);
            fixChecksum(b);
            Files.write(f, b);
            CheckpointFormatException e = assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f));
            assertTrue(e.problem().startsWith("corrupted at byte"), e.getMessage());
        }
        assertEquals(1, view.getInt(36)); // the offsets above really are the count and the key length
        assertEquals(1, view.getInt(40));
    }

    @Test
    void hugeTensorShapeIsRejectedWithoutAllocating() throws IOException {
        Path f = dir.resolve("tensor.ckpt");
        CheckpointFile.write(f, Checkpoint.builder().floats("t", new float[] {1.5f, 2.5f}, 1, 2).build());
        byte[] good = Files.readAllBytes(f);
        // empty META and STRS: TENS tag at 24+16+16 = 56, count 68, name len 72, name 't' 76, dtype 77,
        // rank 81, dims 85 and 89, byte length 93
        ByteBuffer v = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(1, v.getInt(77));
        assertEquals(2, v.getInt(81));
        assertEquals(8L, v.getLong(93));
        for (int[] lie : new int[][] {{85, 1 << 30}, {89, Integer.MAX_VALUE}, {81, 100}, {77, 3}, {85, -1}}) {
            byte[] b = good.clone();
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(lie[0], lie[1]);
            fixChecksum(b);
            Files.write(f, b);
            assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f), "lie at " + lie[0]);
        }
        byte[] b = good.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(93, Long.MAX_VALUE);
        fixChecksum(b);
        Files.write(f, b);
        assertThrows(CheckpointFormatException.class, () -> CheckpointFile.read(f));
    }

    @Test
    void missingEntriesAreNamed() throws IOException {
        Checkpoint cp = CheckpointFile.read(writeSmall());
        String src = dir.resolve("small.ckpt").toString();
        assertEquals(src + ": missing tensor 'x'",
                assertThrows(CheckpointFormatException.class, () -> cp.requireFloats("x")).getMessage());
        assertEquals("missing metadata key 'epochs'",
                assertThrows(CheckpointFormatException.class, () -> cp.requireMeta("epochs")).problem());
        assertEquals("missing string list 'users'",
                assertThrows(CheckpointFormatException.class, () -> cp.requireStrings("users")).problem());
        assertEquals("tensor 'w' has shape [2, 3], expected [3, 2]",
                assertThrows(CheckpointFormatException.class, () -> cp.requireFloats("w", 3, 2)).problem());
        assertEquals("tensor 'ids' holds ints, expected floats",
                assertThrows(CheckpointFormatException.class, () -> cp.requireFloats("ids")).problem());
        assertArrayEquals(new int[] {5, -1, 7}, cp.requireInts("ids", 3));
        assertEquals("8", cp.requireMeta("hidden"));
        assertEquals(List.of("i1", "ítem-2", "商品3"), cp.requireStrings("items"));
    }

    @Test
    void builderRejectsInconsistentInput() {
        Checkpoint.Builder b = Checkpoint.builder().floats("w", new float[6], 2, 3);
        assertThrows(IllegalArgumentException.class, () -> b.ints("w", new int[1]));
        assertThrows(IllegalArgumentException.class, () -> b.floats("v", new float[5], 2, 3));
        assertThrows(IllegalArgumentException.class, () -> b.floats("v", new float[1], 1, 1, 1, 1, 1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> b.floats("v", new float[0], 65536, 65536, 0, -1));
        assertThrows(NullPointerException.class, () -> b.strings("s", Arrays.asList("a", null)));
        Checkpoint lone = Checkpoint.builder().meta("k", "bad \uD800 surrogate").build();
        assertThrows(IllegalArgumentException.class, () -> CheckpointFile.write(dir.resolve("x.ckpt"), lone));
        assertTrue(Files.notExists(dir.resolve("x.ckpt")));
    }

    @Test
    void rewritingReplacesAtomically() throws IOException {
        Path f = writeSmall();
        Checkpoint second = Checkpoint.builder().meta("model", "second").build();
        CheckpointFile.write(f, second);
        assertSameContent(second, CheckpointFile.read(f));
    }
}
