#!/usr/bin/env bash
# Spark standalone cluster on this machine (master + W workers of 1 core each, started from the Maven jars as separate
# JVMs on 127.0.0.1, like StandaloneClusterIT), then: train on a log with P = W partitions, evaluate, and
# recommendForAllUsers(10) to Parquet; prints wall times, the trainer's test metrics and users/s. Stops everything it
# started, also on failure or Ctrl-C.
# Usage (from the repository root, after `mvn -B -q -DskipTests package`):
#   spark/scripts/bench-cluster.sh LOG WORKERS OUTDIR [extra train options...]
#   e.g. spark/scripts/bench-cluster.sh ../shared/data/ml-100k/u.data 2 /tmp/sb2 --local-steps 4 --lr 0.006
# LOG is a headerless user,item,rating,timestamp file (tab separated; MovieLens u.data or `lstmrec generate --format
# ml-100k`). Environment: JAVA (default java), DRIVER_MEMORY (default 3g, 2g below 12 GB of RAM), EXECUTOR_MEMORY
# (default: 60% of the RAM less the driver, shared by the W workers, between 1g and 8g: 5g each on a 24 GB machine with
# 2 workers; a 10^6-item model needs about 5g, see docs/spark.md "Memory").
set -euo pipefail
LOG=$(realpath "$1"); W=$2; OUT=$(realpath -m "$3"); shift 3
ram_mb=$(awk '/^MemTotal:/ {print int($2 / 1024)}' /proc/meminfo)
driver_mb=$(( ram_mb < 12288 ? 2048 : 3072 ))
executor_mb=$(( (ram_mb * 6 / 10 - driver_mb) / W ))
executor_mb=$(( executor_mb < 1024 ? 1024 : executor_mb > 8192 ? 8192 : executor_mb ))
EXECUTOR_MEMORY=${EXECUTOR_MEMORY:-$(( executor_mb / 1024 ))g}
DRIVER_MEMORY=${DRIVER_MEMORY:-$(( driver_mb / 1024 ))g}
root="$(cd "$(dirname "$0")/../.." && pwd)"
jar="$root/spark/target/lstmrec-spark.jar"
[[ -f "$jar" ]] || { echo "missing $jar: run 'mvn -B -q -DskipTests package' first" >&2; exit 1; }
java_bin="${JAVA:-java}"
mkdir -p "$OUT"
# Spark and its dependencies from the local Maven repository (the module's provided scope)
cpfile="$OUT/classpath.txt"
# (the reactor needs the engine and kernels jars, so this packages them too, quickly when they are up to date)
[[ -s "$cpfile" ]] || (cd "$root" && mvn -B -q -pl spark -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile="$cpfile" -Dmdep.includeScope=provided -DexcludeGroupIds=dev.lstmrec >/dev/null) || { echo "could not resolve the Spark classpath" >&2; exit 1; }
# lstmrec's own jars are left out: the application jar carries engine and kernels, and a copy of them on the daemons'
# classpath (say an older one installed in ~/.m2) would shadow it in the driver and the executors
cp=$(tr ':' '\n' < "$cpfile" | grep -v '/dev/lstmrec/' | paste -sd: -)
# a SPARK_HOME the workers can launch executors from: RELEASE marks a distribution, jars/ links the Maven jars
home="$OUT/spark-home"; mkdir -p "$home/jars"; echo "Spark (Maven jars, lstmrec bench-cluster.sh)" > "$home/RELEASE"
tr ':' '\n' <<<"$cp" | while read -r j; do [[ -e "$home/jars/$(basename "$j")" ]] || ln -s "$j" "$home/jars/"; done
flags="--add-modules jdk.incubator.vector $(sed -n 's:.*<spark.jvm.flags>\(.*\)</spark.jvm.flags>.*:\1:p' "$root/spark/pom.xml")"
export SPARK_HOME="$home" SPARK_LOCAL_IP=127.0.0.1 SPARK_SCALA_VERSION=2.13
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 143' INT TERM # exit (running the EXIT trap) instead of carrying on after the cleanup
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
mport=$(free_port)
# shellcheck disable=SC2086
"$java_bin" -Xmx512m $flags -cp "$cp" org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$mport" \
    --webui-port "$(free_port)" > "$OUT/master.log" 2>&1 & pids+=($!)
for _ in $(seq 90); do (echo > /dev/tcp/127.0.0.1/"$mport") 2>/dev/null && break; sleep 1; done
master="spark://127.0.0.1:$mport"
for w in $(seq "$W"); do
    mkdir -p "$OUT/worker$w"
    # shellcheck disable=SC2086
    "$java_bin" -Xmx512m $flags -cp "$cp" org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores 1 \
        --memory "$EXECUTOR_MEMORY" --webui-port "$(free_port)" --work-dir "$OUT/worker$w" "$master" \
        > "$OUT/worker$w.log" 2>&1 & pids+=($!)
done
conf=(--master "$master" --deploy-mode client --class dev.lstmrec.spark.SparkMain
      --driver-memory "$DRIVER_MEMORY" --conf "spark.driver.extraJavaOptions=$flags"
      --conf "spark.executor.extraJavaOptions=$flags" --conf "spark.executor.memory=$EXECUTOR_MEMORY"
      --conf "spark.cores.max=$W" --conf spark.ui.enabled=false --conf "spark.sql.shuffle.partitions=$W"
      --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1
      --conf "spark.sql.warehouse.dir=file://$OUT/warehouse")
submit() { # NAME ARGS...: SparkSubmit in its own JVM, wall time to OUT/NAME.time
    local name=$1; shift
    local s; s=$(date +%s.%N)
    # shellcheck disable=SC2086
    "$java_bin" $flags -cp "$cp" org.apache.spark.deploy.SparkSubmit "${conf[@]}" "$jar" "$@" > "$OUT/$name.log" 2>&1 \
        || { echo "$name failed; tail of $OUT/$name.log:" >&2; tail -40 "$OUT/$name.log" >&2; exit 1; }
    echo "$(date +%s.%N) - $s" | bc > "$OUT/$name.time"
    echo "$name: $(printf '%.1f' "$(cat "$OUT/$name.time")") s wall" >&2
}
echo "cluster: master and $W one-core workers of $EXECUTOR_MEMORY on 127.0.0.1, driver $DRIVER_MEMORY" >&2
submit train train --input "$LOG" --columns user,item,rating,timestamp --model "$OUT/model.lstmrec" \
    --partitions "$W" --threads 1 "$@"
submit recommend recommend --model "$OUT/model.lstmrec" --output "$OUT/recs.parquet" --k 10 --threads 1
grep -E "^round [0-9]+: delta broadcast" "$OUT/train.log" >&2 || true # per round: bytes broadcast beside the full state
grep -E "^trained |^traffic: " "$OUT/train.log" >&2 || true
grep -E "^wrote top-" "$OUT/recommend.log" >&2 || true
