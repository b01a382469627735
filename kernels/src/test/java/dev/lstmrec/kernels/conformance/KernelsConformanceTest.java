package dev.lstmrec.kernels.conformance;

import dev.lstmrec.engine.backend.conformance.BackendConformanceSuite;

/**
 * The engine's backend conformance suite over every backend discovered on this module's classpath: scalar, simd
 * (with all cores) and cuda (skipped, with the probe's reason, where no GPU is usable).
 */
class KernelsConformanceTest extends BackendConformanceSuite {}
