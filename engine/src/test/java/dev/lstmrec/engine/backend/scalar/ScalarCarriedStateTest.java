package dev.lstmrec.engine.backend.scalar;

import dev.lstmrec.engine.backend.conformance.CarriedStateSuite;

/** The carried-state suite on the backends of the engine's own classpath (the scalar one). */
class ScalarCarriedStateTest extends CarriedStateSuite {}
