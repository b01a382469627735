package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.TrainingStepAgreementSuite;

/** Ten training steps on the SIMD backend (and the scalar one) follow the golden scalar curve. */
class SimdTrainingStepAgreementTest extends TrainingStepAgreementSuite {}
