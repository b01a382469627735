package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.CarriedStateSuite;

/** Carried LSTM states equal fresh passes on the CUDA backend (skipped, with the probe's reason, without a GPU). */
class CudaCarriedStateTest extends CarriedStateSuite {}
