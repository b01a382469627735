package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.CarriedStateSuite;

/** Carried LSTM states (one-step advances, the recommender's state cache) equal fresh passes on the SIMD backend. */
class SimdCarriedStateTest extends CarriedStateSuite {}
