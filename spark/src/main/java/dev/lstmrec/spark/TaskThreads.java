package dev.lstmrec.spark;

import org.apache.spark.TaskContext;

/** Backend threads for code running in a Spark task: the task's CPUs ({@code spark.task.cpus}), else all cores. */
final class TaskThreads {
    private TaskThreads() {}

    static int taskThreads() {
        TaskContext tc = TaskContext.get();
        return tc != null ? tc.cpus() : Runtime.getRuntime().availableProcessors();
    }
}
