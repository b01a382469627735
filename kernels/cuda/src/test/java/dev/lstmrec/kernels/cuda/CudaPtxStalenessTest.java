package dev.lstmrec.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The committed PTX was generated from the current CUDA sources: the hash file written by build-ptx.sh beside the PTX
 * must match the SHA-256 of every .cu/.cuh now. Pure Java, runs everywhere; a failure means "run build-ptx.sh".
 */
class CudaPtxStalenessTest {
    @Test
    void committedHashesMatchTheCudaSources() throws Exception {
        Map<String, String> now = CudaSources.sourceHashes();
        assertFalse(now.isEmpty(), "no CUDA sources under " + CudaSources.CUDA_DIR.toAbsolutePath());
        Map<String, String> committed = CudaSources.parseHashFile(Files.readString(CudaSources.PTX_DIR.resolve("sources.sha256")));
        assertEquals(committed, now, "the committed PTX is stale: run kernels/cuda/scripts/build-ptx.sh (or mvn -Pptx) and commit its output");
    }

    @Test
    void everySourceHasItsPtx() {
        for (String name : CudaSources.CUDA_DIR.toFile().list((d, n) -> n.endsWith(".cu"))) {
            String module = name.substring(0, name.length() - 3);
            assertFalse(CudaSources.ptxResource(module).isBlank(), module + ".ptx is empty");
        }
    }
}
