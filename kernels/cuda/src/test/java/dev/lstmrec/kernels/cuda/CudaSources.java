package dev.lstmrec.kernels.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Test helpers that read the CUDA sources, the committed PTX and its hash file (paths relative to the kernels module). */
final class CudaSources {
    static final Path CUDA_DIR = Path.of("src/main/cuda");
    static final Path PTX_DIR = Path.of("src/main/resources/dev/lstmrec/kernels/cuda/ptx");
    static final Path BUILD_SCRIPT = Path.of("scripts/build-ptx.sh");

    private static final Pattern ENTRY = Pattern.compile("\\.entry\\s+(\\w+)\\s*\\(([^)]*)\\)");
    private static final Pattern PARAM = Pattern.compile("\\.param\\s+\\.(\\w+)");

    private CudaSources() {}

    /** file name -> lower-case hex SHA-256 of every .cu and .cuh file under {@link #CUDA_DIR}. */
    static Map<String, String> sourceHashes() throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        try (Stream<Path> files = Files.list(CUDA_DIR)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".cu") || name.endsWith(".cuh")) hashes.put(name, sha256(Files.readAllBytes(f)));
            }
        }
        return hashes;
    }

    /** Parses sha256sum output ("HEX  NAME" per line) into name -> hex. */
    static Map<String, String> parseHashFile(String text) {
        Map<String, String> hashes = new TreeMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.trim().split("\\s+", 2);
            hashes.put(parts[1].replaceFirst("^\\*", ""), parts[0].toLowerCase());
        }
        return hashes;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PTX module's text from the classpath (as the backend loads it). */
    static String ptxResource(String module) {
        String resource = CudaKernel.PTX_FOLDER + module + ".ptx";
        try (InputStream in = CudaSources.class.getResourceAsStream(resource)) {
            if (in == null) throw new AssertionError("PTX resource " + resource + " is not on the classpath");
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Entry name -> parameter kinds in PTX terms ("u64", "u32", "f32", ...), in declaration order. */
    static Map<String, List<String>> entries(String ptx) {
        Map<String, List<String>> entries = new LinkedHashMap<>();
        Matcher m = ENTRY.matcher(ptx);
        while (m.find()) {
            Matcher p = PARAM.matcher(m.group(2));
            List<String> kinds = new java.util.ArrayList<>();
            while (p.find()) kinds.add(p.group(1));
            entries.put(m.group(1), kinds);
        }
        return entries;
    }

    /** Where an executable is on PATH, or null. */
    static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) return null;
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            Path p = Path.of(dir, program);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }
}
