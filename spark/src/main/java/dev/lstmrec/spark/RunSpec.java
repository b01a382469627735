package dev.lstmrec.spark;

import java.io.Serializable;

/**
 * What every round task of one run needs besides the round's delta: the run's identity (the key of its executors'
 * resident state), its settings, the catalogue size and the learning-rate schedule's horizon in steps.
 *
 * @param scheduleSteps the horizon's epochs times the steps the run's step counter takes per epoch (the most batches
 *                      of any partition): with one partition, what the single-machine trainer uses
 */
record RunSpec(String runId, TrainSettings settings, int numItems, long scheduleSteps) implements Serializable {}
