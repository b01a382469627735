package dev.lstmrec.kernels.cuda;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Where nvcc is installed, runs kernels/cuda/scripts/build-ptx.sh into a temp folder and requires the committed PTX and
 * hash file to be byte-identical to the fresh build (same flags, no warnings, no spills). Skipped, with the reason,
 * when nvcc is absent or is another release than the one that generated the committed PTX.
 */
class CudaPtxFreshBuildTest {
    private static final Pattern RELEASE = Pattern.compile("Cuda compilation tools, release [^\\n]*");

    @Test
    void committedPtxEqualsAFreshNvccBuild(@TempDir Path out) throws Exception {
        assumeTrue(CudaSources.onPath("nvcc") != null && CudaSources.onPath("ptxas") != null,
                "nvcc/ptxas not on PATH: the committed PTX is not rebuilt here (CudaPtxStalenessTest still checks its hash)");
        Process p = new ProcessBuilder("bash", CudaSources.BUILD_SCRIPT.toString(), out.toString())
                .redirectErrorStream(true).start();
        byte[] log = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "build-ptx.sh timed out");
        assertEquals(0, p.exitValue(), "build-ptx.sh failed:\n" + new String(log, StandardCharsets.UTF_8));

        String freshRelease = release(Files.readString(out.resolve("gemm.ptx")));
        String committedRelease = release(Files.readString(CudaSources.PTX_DIR.resolve("gemm.ptx")));
        assumeTrue(freshRelease.equals(committedRelease),
                "local nvcc (" + freshRelease + ") differs from the one that built the committed PTX (" + committedRelease + ")");
        for (String name : CudaSources.PTX_DIR.toFile().list()) {
            Path fresh = out.resolve(name);
            assertTrue(Files.exists(fresh), "fresh build lacks " + name);
            assertEquals(Files.readString(CudaSources.PTX_DIR.resolve(name)), Files.readString(fresh),
                    name + " differs from a fresh build: run kernels/cuda/scripts/build-ptx.sh and commit its output");
        }
        assertEquals(CudaSources.PTX_DIR.toFile().list().length, out.toFile().list().length, "file sets differ");
    }

    private static String release(String ptx) {
        Matcher m = RELEASE.matcher(ptx);
        assertTrue(m.find(), "PTX header has no 'Cuda compilation tools, release' line");
        String r = m.group();
        assertNotNull(r);
        return r;
    }
}
