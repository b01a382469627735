package dev.lstmrec.kernels.cuda;

import dev.lstmrec.engine.backend.Probe;
import jcuda.driver.CUdevice;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

import java.nio.charset.StandardCharsets;

/**
 * Checks that the CUDA driver library loads and sees a device, turning every failure into a one-line reason.
 * Only {@link CudaBackendProvider#probe()} calls it. Return codes are checked explicitly instead of enabling JCuda's
 * global exception mode, which would also change how CudaBackend sees errors. Checked by CudaProviderTest.
 */
final class CudaProbe {
    private CudaProbe() {}

    static Probe run() {
        int result;
        try {
            result = JCudaDriver.cuInit(0);
        } catch (Throwable t) {
            return Probe.unavailable(loadFailure(t));
        }
        if (result == CUresult.CUDA_ERROR_NO_DEVICE) return Probe.unavailable("no CUDA device");
        if (result != CUresult.CUDA_SUCCESS) {
            return Probe.unavailable("CUDA driver initialisation failed: cuInit returned " + CUresult.stringFor(result));
        }
        int[] count = new int[1];
        result = JCudaDriver.cuDeviceGetCount(count);
        if (result != CUresult.CUDA_SUCCESS) {
            return Probe.unavailable("cuDeviceGetCount failed: " + CUresult.stringFor(result));
        }
        if (count[0] == 0) return Probe.unavailable("no CUDA device");
        CUdevice device = new CUdevice();
        byte[] name = new byte[256];
        if (JCudaDriver.cuDeviceGet(device, 0) != CUresult.CUDA_SUCCESS
                || JCudaDriver.cuDeviceGetName(name, name.length, device) != CUresult.CUDA_SUCCESS) {
            return Probe.ok(count[0] + " CUDA device(s)");
        }
        return Probe.ok(cString(name) + (count[0] > 1 ? " (+" + (count[0] - 1) + " more)" : ""));
    }

    /** The reason for a native load failure: the usual one (no driver installed) gets a plain sentence. */
    static String loadFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            String m = String.valueOf(c.getMessage());
            if (m.contains("libcuda")) return "no CUDA driver (libcuda.so not found)";
        }
        return "JCuda native library could not be loaded: " + firstLine(t);
    }

    static String firstLine(Throwable t) {
        String m = t.getMessage();
        if (m == null || m.isBlank()) return t.getClass().getName();
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).trim();
    }

    static String cString(byte[] bytes) {
        int n = 0;
        while (n < bytes.length && bytes[n] != 0) n++;
        return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }
}
