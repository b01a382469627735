package dev.lstmrec.kernels.cuda;

/** A CUDA driver call failed; the message names the call and the CUresult. */
public final class CudaDriverException extends RuntimeException {
    public CudaDriverException(String message) {
        super(message);
    }
}
