package dev.lstmrec.kernels.cuda;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The device error codes are declared once, in common.cuh, and CudaLaunches' ERR_ constants mirror them exactly:
 * no .cu file defines its own, and no code is missing on either side.
 */
class CudaErrorCodesTest {
    private static final Pattern DEFINE = Pattern.compile("(?m)^#define\\s+(ERR_\\w+)\\s+(\\d+)\\s*$");

    @Test
    void errorCodesLiveInCommonCuhAndJavaMirrorsThem() throws Exception {
        Map<String, Integer> device = new TreeMap<>();
        Matcher m = DEFINE.matcher(Files.readString(CudaSources.CUDA_DIR.resolve("common.cuh")));
        while (m.find()) device.put(m.group(1), Integer.parseInt(m.group(2)));
        assertFalse(device.isEmpty(), "common.cuh defines the error codes");

        try (Stream<Path> files = Files.list(CudaSources.CUDA_DIR)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().equals("common.cuh")).toList()) {
                assertFalse(DEFINE.matcher(Files.readString(f)).find(), f + " defines an error code: put it in common.cuh");
            }
        }

        Map<String, Integer> java = new TreeMap<>();
        for (Field f : CudaLaunches.class.getDeclaredFields()) {
            if (f.getName().startsWith("ERR_") && Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                f.setAccessible(true);
                java.put(f.getName(), f.getInt(null));
            }
        }
        assertEquals(device, java, "CudaLaunches' ERR_ constants against common.cuh");
    }
}
