package dev.lstmrec.spark;

import dev.lstmrec.engine.io.IOConsumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Engine files (models, training states) on any Hadoop file system: the engine writes and reads local files, so a
 * file is produced in a local temp file, copied to a temp name beside the target and renamed into place (atomic on
 * HDFS and local file systems; object stores without atomic rename at least never show a partial file under the
 * final name); reading copies to a local temp file first.
 */
public final class HadoopFiles {
    private HadoopFiles() {}

    public static void write(Configuration conf, String target, IOConsumer<java.nio.file.Path> writeLocal) throws IOException {
        java.nio.file.Path dir = Files.createTempDirectory("lstmrec-spark");
        java.nio.file.Path local = dir.resolve("file");
        try {
            writeLocal.accept(local);
            Path dst = new Path(target);
            FileSystem fs = dst.getFileSystem(conf);
            Path parent = dst.getParent();
            if (parent != null) fs.mkdirs(parent);
            Path tmp = new Path(parent, "." + dst.getName() + "." + UUID.randomUUID() + ".tmp");
            try (OutputStream out = fs.create(tmp, true)) {
                Files.copy(local, out);
            }
            if (fs.exists(dst) && !fs.delete(dst, false)) throw new IOException("cannot replace " + dst);
            if (!fs.rename(tmp, dst)) {
                fs.delete(tmp, false);
                throw new IOException("cannot rename " + tmp + " to " + dst);
            }
        } finally {
            Files.deleteIfExists(local);
            Files.deleteIfExists(dir);
        }
    }

    /** Copies {@code source} to a local temp file, hands it to {@code read}, deletes it. */
    public static <T> T read(Configuration conf, String source, LocalReader<T> read) throws IOException {
        Path src = new Path(source);
        FileSystem fs = src.getFileSystem(conf);
        java.nio.file.Path dir = Files.createTempDirectory("lstmrec-spark");
        java.nio.file.Path local = dir.resolve(src.getName());
        try {
            try (InputStream in = fs.open(src)) {
                Files.copy(in, local, StandardCopyOption.REPLACE_EXISTING);
            }
            return read.read(local);
        } finally {
            Files.deleteIfExists(local);
            Files.deleteIfExists(dir);
        }
    }

    public static boolean exists(Configuration conf, String path) throws IOException {
        Path p = new Path(path);
        return p.getFileSystem(conf).exists(p);
    }

    /** Reads a local file. */
    @FunctionalInterface
    public interface LocalReader<T> {
        T read(java.nio.file.Path file) throws IOException;
    }
}
