package dev.lstmrec.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java kernel table ({@link CudaKernel}) and the committed PTX agree: every PTX resource loads as PTX text for
 * compute_75, every entry Java resolves is declared in its module with the parameter kinds Java passes, and no module
 * declares an entry Java does not know. CPU only.
 */
class CudaPtxEntryPointsTest {
    @Test
    void everyModuleIsPtxTextForCompute75() {
        for (String module : CudaKernel.modules()) {
            String ptx = CudaSources.ptxResource(module);
            assertTrue(ptx.chars().allMatch(c -> c == '\n' || c == '\t' || (c >= 32 && c < 127)), module + ".ptx is not ASCII text");
            assertTrue(ptx.contains("\n.target sm_75\n"), module + ".ptx does not target sm_75 (compute_75)");
            assertTrue(ptx.contains("\n.version 8.0\n"), module + ".ptx is not stamped PTX ISA 8.0 (see build-ptx.sh)");
            assertTrue(ptx.contains("\n.address_size 64\n"), module + ".ptx is not 64-bit");
        }
    }

    @Test
    void javaTableAndPtxEntriesAgree() {
        Set<String> known = new HashSet<>();
        for (CudaKernel k : CudaKernel.values()) {
            known.add(k.entry());
            Map<String, List<String>> entries = CudaSources.entries(CudaSources.ptxResource(k.module()));
            assertTrue(entries.containsKey(k.entry()), k.module() + ".ptx does not declare .entry " + k.entry());
            assertEquals(ptxKinds(k.signature()), entries.get(k.entry()), "parameters of " + k.entry());
        }
        for (String module : CudaKernel.modules()) {
            for (String entry : CudaSources.entries(CudaSources.ptxResource(module)).keySet()) {
                assertTrue(known.contains(entry), module + ".ptx declares " + entry + " which CudaKernel does not list");
            }
        }
    }

    @Test
    void entryPointsAreSnakeCaseAndUnique() {
        Set<String> seen = new HashSet<>();
        for (CudaKernel k : CudaKernel.values()) {
            assertTrue(k.entry().matches("[a-z][a-z0-9_]*"), k.entry());
            assertEquals(k.name().toLowerCase(), k.entry(), "entry point should be the constant's name in snake case");
            assertTrue(seen.add(k.entry()), "duplicate " + k.entry());
        }
    }

    private static List<String> ptxKinds(String signature) {
        List<String> kinds = new ArrayList<>();
        for (char c : signature.toCharArray()) {
            kinds.add(switch (c) {
                case 'p', 'l' -> "u64";
                case 'i' -> "u32";
                case 'f' -> "f32";
                default -> throw new AssertionError("bad signature letter " + c);
            });
        }
        return kinds;
    }
}
