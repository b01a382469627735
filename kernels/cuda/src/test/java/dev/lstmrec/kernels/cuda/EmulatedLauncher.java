package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.tensor.HeapFloats;
import dev.lstmrec.engine.tensor.HeapInts;
import dev.lstmrec.engine.tensor.IntTensor;
import dev.lstmrec.engine.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link CudaLaunches.Launcher} that runs each launch in the CPU build of the real kernel sources
 * (src/test/cuda-emu/emu_main.cpp): tensors are heap tensors, their whole arrays travel to the emulator and back,
 * so views and offsets behave as on the device. Test support for CudaKernelEmulationTest.
 */
final class EmulatedLauncher implements CudaLaunches.Launcher {
    private final Path executable;
    /** The emulated device error flag. */
    final int[] errorFlag = new int[1];
    int launches;

    EmulatedLauncher(Path executable) {
        this.executable = executable;
    }

    @Override
    public void launch(CudaKernel kernel, int gridX, int gridY, int blockX, int blockY, int sharedBytes, Object[] args) {
        Map<Object, Integer> index = new IdentityHashMap<>();
        List<Object> buffers = new ArrayList<>();
        ByteBuffer argBytes = ByteBuffer.allocate(4 + args.length * 16).order(ByteOrder.LITTLE_ENDIAN);
        argBytes.putInt(args.length);
        for (Object a : args) {
            if (a == null || a == CudaLaunches.ERROR_FLAG || a instanceof Tensor || a instanceof IntTensor) {
                Object array = a == null ? null : a == CudaLaunches.ERROR_FLAG ? errorFlag
                        : a instanceof Tensor t ? ((HeapFloats) t.storage()).data() : ((HeapInts) ((IntTensor) a).storage()).data();
                long offset = a instanceof Tensor t ? t.offset() : a instanceof IntTensor t ? t.offset() : 0;
                int b = -1;
                if (array != null) {
                    b = index.computeIfAbsent(array, x -> buffers.size());
                    if (b == buffers.size()) buffers.add(array);
                }
                argBytes.putInt(0).putInt(b).putLong(offset);
            } else if (a instanceof Integer v) {
                argBytes.putInt(1).putInt(v);
            } else if (a instanceof Float v) {
                argBytes.putInt(2).putFloat(v);
            } else if (a instanceof Long v) {
                argBytes.putInt(3).putLong(v);
            } else {
                throw new IllegalStateException("unsupported argument " + a);
            }
        }
        byte[] name = kernel.entry().getBytes(StandardCharsets.US_ASCII);
        int words = 0;
        for (Object b : buffers) words += length(b);
        ByteBuffer in = ByteBuffer.allocate(4 + name.length + 24 + 4 * buffers.size() + 4 * words + argBytes.position())
                .order(ByteOrder.LITTLE_ENDIAN);
        in.putInt(name.length).put(name).putInt(gridX).putInt(gridY).putInt(blockX).putInt(blockY).putInt(sharedBytes);
        in.putInt(buffers.size());
        for (Object b : buffers) {
            in.putInt(length(b));
            if (b instanceof float[] f) for (float x : f) in.putFloat(x);
            else for (int x : (int[]) b) in.putInt(x);
        }
        in.put(argBytes.array(), 0, argBytes.position());
        try {
            Process p = new ProcessBuilder(executable.toString()).start();
            try (OutputStream os = p.getOutputStream()) {
                os.write(in.array(), 0, in.position());
            }
            byte[] out;
            try (InputStream is = p.getInputStream()) {
                out = is.readAllBytes();
            }
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            int rc = p.waitFor();
            if (rc != 0) throw new IllegalStateException("emulated " + kernel.entry() + " failed (" + rc + "): " + err);
            ByteBuffer res = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            if (out.length != 4 * words) throw new IllegalStateException("emulator returned " + out.length + " bytes, expected " + 4 * words);
            for (Object b : buffers) {
                if (b instanceof float[] f) for (int i = 0; i < f.length; i++) f[i] = res.getFloat();
                else {
                    int[] v = (int[]) b;
                    for (int i = 0; i < v.length; i++) v[i] = res.getInt();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        launches++;
    }

    private static int length(Object b) {
        return b instanceof float[] f ? f.length : ((int[]) b).length;
    }
}
