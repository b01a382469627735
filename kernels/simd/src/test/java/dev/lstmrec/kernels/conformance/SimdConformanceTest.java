package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

/** The engine's backend conformance suite over the backends on this module's classpath: scalar and simd (all cores). */
class SimdConformanceTest extends BackendConformanceSuite {}
