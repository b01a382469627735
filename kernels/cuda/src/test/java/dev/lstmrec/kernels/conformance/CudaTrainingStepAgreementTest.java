package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.TrainingStepAgreementSuite;

/** Ten training steps on the CUDA backend follow the golden scalar curve (skipped, with the reason, without a GPU). */
class CudaTrainingStepAgreementTest extends TrainingStepAgreementSuite {}
