#!/usr/bin/env bash
# Issue 25's "kill one worker mid-training": runs spark/scripts/bench-cluster.sh (master + W one-core workers, train,
# recommend), and once the training log shows round KILL_AT_ROUND, kills worker 1 for good: its Worker daemon and the
# executor JVM it launched (kill -9, so no clean shutdown). The job must still finish on the workers left (the lost
# partitions' tasks move, their resident state is rebuilt from the driver's state), and the model it wrote must serve:
# the single-machine `lstmrec recommend --user` answers for a user of the log. With BASELINE=model file of a run
# without the kill (same log, same options), the two model files must be identical byte for byte (every task is a
# pure function of the driver's state, so a rerun ships the same bytes).
# Usage (from the repository root, after `mvn -B -q -DskipTests package` of spark and cli):
#   spark/scripts/kill-worker-check.sh LOG WORKERS OUTDIR [train options...]
# Environment: KILL_AT_ROUND (default 3), BASELINE, and bench-cluster.sh's JAVA, EXECUTOR_MEMORY, DRIVER_MEMORY.
set -euo pipefail
LOG=$(realpath "$1"); W=$2; OUT=$(realpath -m "$3"); shift 3
[[ "$W" -ge 2 ]] || { echo "need at least 2 workers (one is killed)" >&2; exit 1; }
root="$(cd "$(dirname "$0")/../.." && pwd)"
cli="$root/cli/target/lstmrec.jar"
[[ -f "$cli" ]] || { echo "missing $cli: run 'mvn -B -q -DskipTests package' first" >&2; exit 1; }
at=${KILL_AT_ROUND:-3}
mkdir -p "$OUT"
"$root/spark/scripts/bench-cluster.sh" "$LOG" "$W" "$OUT" "$@" > "$OUT/bench.out" 2>&1 & bench=$!
trap 'kill "$bench" 2>/dev/null || true' INT TERM

# worker 1's daemon: the Worker JVM whose --work-dir is OUT/worker1; its executor: the JVM whose working directory
# lies under OUT/worker1 (a standalone worker starts each executor in WORKDIR/APP/EXECUTOR)
worker_pid() { pgrep -f "org.apache.spark.deploy.worker.Worker .*--work-dir $OUT/worker1 " || true; }
executor_pid() {
    for p in $(pgrep -f CoarseGrainedExecutorBackend || true); do
        if [[ "$(readlink "/proc/$p/cwd" 2>/dev/null)" == "$OUT/worker1/"* ]]; then echo "$p"; fi
    done
    return 0 # (set -e: a non-matching last test must not end the script)
}
killed=""
while kill -0 "$bench" 2>/dev/null; do
    if grep -q "^round $at:" "$OUT/train.log" 2>/dev/null; then
        wp=$(worker_pid); ep=$(executor_pid)
        [[ -n "$wp" && -n "$ep" ]] || { echo "worker 1 or its executor not found (worker '$wp', executor '$ep')" >&2; kill "$bench"; exit 1; }
        kill -9 $ep $wp
        killed="worker pid $wp and its executor pid $ep, after round $at"
        echo "$(date -u +%T) killed $killed" | tee "$OUT/killed.txt" >&2
        break
    fi
    sleep 0.5
done
status=0; wait "$bench" || status=$?
cat "$OUT/bench.out" >&2
[[ -n "$killed" ]] || { echo "FAIL: the training ended before round $at, nothing was killed" >&2; exit 1; }
[[ $status -eq 0 ]] || { echo "FAIL: the job did not finish after the kill (exit $status)" >&2; exit 1; }
grep -E "lost their state|rebased" "$OUT/train.log" >&2 || true
user=$(head -1 "$LOG" | cut -f1)
java --add-modules jdk.incubator.vector -jar "$cli" recommend --model "$OUT/model.lstmrec" --user "$user" --k 5 \
    > "$OUT/serve-check.txt" 2>&1 || { cat "$OUT/serve-check.txt" >&2; echo "FAIL: the model does not serve" >&2; exit 1; }
grep -v WARNING "$OUT/serve-check.txt" >&2
if [[ -n "${BASELINE:-}" ]]; then
    cmp "$BASELINE" "$OUT/model.lstmrec" || { echo "FAIL: the model differs from the run without the kill" >&2; exit 1; }
    echo "the model equals the run without the kill byte for byte ($BASELINE)" >&2
fi
echo "OK: killed $killed; the job finished and its model serves" >&2
