package dev.lstmrec.engine.io;

// Checks AtomicFiles against the file system: replacement, parent creation, and that a failing body or a
// failing move leaves the previous target byte-for-byte intact and no temp file behind.

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path dir;

    private List<String> names() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }

    @Test
    void writesAndReplaces() throws IOException {
        Path f = dir.resolve("a.txt");
        AtomicFiles.writeString(f, "first ünïcødé");
        assertEquals("first ünïcødé", Files.readString(f));
        AtomicFiles.writeString(f, "second");
        assertEquals("second", Files.readString(f));
        assertEquals(List.of("a.txt"), names());
    }

    @Test
    void createsMissingParents() throws IOException {
        Path f = dir.resolve("x/y/z.bin");
        AtomicFiles.writeBytes(f, new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(f));
    }

    @Test
    void bodyMayCloseTheStreamAndWriteLargeData() throws IOException {
        Path f = dir.resolve("big.bin");
        byte[] data = new byte[300_000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i * 31 + 7);
        AtomicFiles.write(f, out -> {
            out.write(data, 0, 100);
            for (int i = 100; i < 200; i++) out.write(data[i]);
            out.write(data, 200, data.length - 200);
            out.close();
        });
        assertArrayEquals(data, Files.readAllBytes(f));
        assertEquals(List.of("big.bin"), names());
    }

    @Test
    void failingBodyKeepsOldTargetAndLeavesNoTemp() throws IOException {
        Path f = dir.resolve("model.ckpt");
        AtomicFiles.writeString(f, "old content");
        IOException boom = new IOException("disk full (simulated)");
        IOException thrown = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write("half of the new cont".getBytes(StandardCharsets.UTF_8));
            out.flush();
            throw boom;
        }));
        assertSame(boom, thrown);
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("model.ckpt"), names());

        UncheckedIOException unchecked = new UncheckedIOException(new IOException("x"));
        assertSame(unchecked, assertThrows(UncheckedIOException.class,
                () -> AtomicFiles.write(f, out -> { out.write(1); throw unchecked; })));
        assertEquals("old content", Files.readString(f));
        assertEquals(List.of("model.ckpt"), names());
    }

    @Test
    void failingBodyWithoutPreviousTargetLeavesNothing() {
        Path f = dir.resolve("new.ckpt");
        assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IllegalStateException("bug");
        }));
        assertTrue(Files.notExists(f));
        assertEquals(List.of(), assertNoThrowNames());
    }

    @Test
    void failingMoveLeavesNoTemp() throws IOException {
        // A non-empty directory cannot be replaced by a file: the move fails after the temp file is complete.
        Path target = dir.resolve("occupied");
        Files.createDirectories(target.resolve("child"));
        assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "data"));
        assertTrue(Files.isDirectory(target.resolve("child")));
        assertEquals(List.of("occupied"), names());
    }

    private List<String> assertNoThrowNames() {
        try {
            return names();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
