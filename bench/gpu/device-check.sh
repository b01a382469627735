#!/usr/bin/env bash
# GPU check of the CUDA backend on the lent machine (no Java or Maven there): shows the card, then runs the kernels/cuda
# module's CUDA tests (CudaBackendGpuTest compares every op with ScalarBackend) with a carried runtime and classpath.
#   here:  bench/gpu/device-check.sh --prepare    builds the test classes and fills .device/ (runtime, jars, classes)
#   there: bash bench/gpu/device-check.sh         run by the device tool with carry [".device"] (about 60 MiB)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
dev=.device
m2="${M2_REPO:-$HOME/.m2/repository}"
jars=(org/jcuda/jcuda/12.0.0/jcuda-12.0.0.jar
      org/jcuda/jcuda-natives/12.0.0/jcuda-natives-12.0.0-linux-x86_64.jar
      org/junit/jupiter/junit-jupiter-api/5.14.1/junit-jupiter-api-5.14.1.jar
      org/junit/jupiter/junit-jupiter-engine/5.14.1/junit-jupiter-engine-5.14.1.jar
      org/junit/jupiter/junit-jupiter-params/5.14.1/junit-jupiter-params-5.14.1.jar
      org/junit/platform/junit-platform-commons/1.14.1/junit-platform-commons-1.14.1.jar
      org/junit/platform/junit-platform-engine/1.14.1/junit-platform-engine-1.14.1.jar
      org/junit/platform/junit-platform-launcher/1.14.1/junit-platform-launcher-1.14.1.jar
      org/opentest4j/opentest4j/1.3.0/opentest4j-1.3.0.jar
      org/apiguardian/apiguardian-api/1.1.2/apiguardian-api-1.1.2.jar)
cp="$root/$dev/classes/engine:$root/$dev/classes/engine-test:$root/$dev/classes/kernels:$root/$dev/classes/kernels-test:$root/$dev/classes/runner:$root/$dev/lib/*"

if [ "${1:-}" = "--prepare" ]; then
    mvn -B -q -o test-compile -pl kernels/cuda -am
    rm -rf "$dev/classes" "$dev/lib"
    mkdir -p "$dev/classes/runner" "$dev/lib"
    cp -r engine/target/classes "$dev/classes/engine"
    cp -r engine/target/test-classes "$dev/classes/engine-test"
    cp -r kernels/cuda/target/classes "$dev/classes/kernels"
    cp -r kernels/cuda/target/test-classes "$dev/classes/kernels-test"
    for j in "${jars[@]}"; do cp "$m2/$j" "$dev/lib/"; done
    javac -d "$dev/classes/runner" -cp "$dev/classes/engine:$dev/lib/*" bench/gpu/RunTests.java
    if [ ! -x "$dev/jre/bin/java" ]; then
        # A trimmed Java 17 runtime: what the engine, JCuda and JUnit need, plus the Vector API module.
        jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
              --strip-debug --no-man-pages --no-header-files --compress=2 --output "$dev/jre"
    fi
    du -sh "$dev"
    exit 0
fi

echo "== nvidia-smi"
nvidia-smi || echo "nvidia-smi failed"
[ -x "$dev/jre/bin/java" ] || { echo "no runtime under $dev/jre: run bench/gpu/device-check.sh --prepare first and carry .device" >&2; exit 2; }
export PATH="$root/$dev/jre/bin:$PATH"
java -version 2>&1 | head -1
command -v nvcc >/dev/null && nvcc --version | tail -1
echo "== CUDA backend tests (kernels/cuda module; relative paths in the tests need kernels/cuda/ as the working directory)"
cd kernels/cuda
java --add-modules jdk.incubator.vector -cp "$cp" RunTests --require-gpu dev.lstmrec.kernels.cuda
