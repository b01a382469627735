package dev.lstmrec.cli;

import dev.lstmrec.engine.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What the README promises for a JVM started without {@code --add-modules jdk.incubator.vector}: lstmrec still runs,
 * on the scalar backend, and says once how to enable SIMD. Runs only in cli's second surefire execution
 * ({@code no-vector-api}, whose argLine has no --add-modules); the main execution excludes it, and the first test
 * fails if it ever lands in a JVM that has the module.
 */
class NoVectorApiTest {
    private static final String FLAG = "--add-modules jdk.incubator.vector";

    @TempDir
    Path dir;

    @Test
    void thisJvmHasNoVectorApi() {
        assertTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty(),
                "NoVectorApiTest must run in the no-vector-api surefire execution, without " + FLAG);
    }

    @Test
    void theSimdProviderLoadsProbesUnusableAndNamesTheFlag() {
        Backends.Found simd = Backends.discover().stream().filter(f -> f.provider().name().equals("simd")).findFirst()
                .orElseThrow(() -> new AssertionError("the simd provider must load without the module"));
        assertFalse(simd.probe().usable());
        assertTrue(simd.probe().reason().contains(FLAG), simd.probe().reason());
    }

    @Test
    void autoFallsBackToScalarWithOneWarningNamingTheFlag() throws IOException {
        boolean cuda = Backends.discover().stream().anyMatch(f -> f.provider().name().equals("cuda") && f.probe().usable());
        assumeFalse(cuda, "a usable GPU outranks both CPU backends; the scalar fallback is not what auto picks here");

        StringBuilder log = new StringBuilder();
        for (int u = 0; u < 12; u++) for (int i = 0; i < 5; i++) log.append(u).append(' ').append((u + i) % 7).append('\n');
        Path data = Files.writeString(dir.resolve("d.txt"), log);
        CliTest.Result r = CliTest.run("train", "--data", data.toString(), "--format", "sasrec", "--dim", "4", "--hidden", "4",
                "--epochs", "1", "--batch", "8", "--model", dir.resolve("m.lstmrec").toString());
        assertEquals(0, r.code(), r.err());
        long warnings = r.err().lines().filter(l -> l.contains("SIMD")).count();
        assertEquals(1, warnings, r.err());
        String warning = r.err().lines().filter(l -> l.contains("SIMD")).findFirst().orElseThrow();
        assertTrue(warning.contains(FLAG) && warning.contains("scalar"), warning);
        assertTrue(r.err().contains("lstmrec: backend scalar"), r.err());
        // After the CLI run: the fallback warning is claimed once per JVM, so an earlier library call would have
        // taken it (through System.Logger) before the CLI could print it.
        assertEquals("scalar", Backends.choose("auto").provider().name());
    }
}
