#!/usr/bin/env bash
# Runs dev.hfi.testkit.EnvoyBenchmark (real Envoy with and without hfi-filter.wasm, the embedded
# data plane, nginx as the upstream, wrk as the client) and prints its tables. Arguments: the
# length of one wrk run (default 10s) and the number of measured rounds (default 2); every row
# gets (rounds + 1) runs at 1 and at 32 connections, so 10s and 2 rounds take about 9 minutes
# plus the build. Installs nothing into ~/.m2: the reactor's own target/classes go on the
# classpath.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/env.sh
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || { echo "error: $tool not on PATH (apt-get install -y wrk nginx-light)" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# In one reactor run the siblings resolve to what this checkout builds: packaged, since
# hfi-control-plane's jar is the one with its HTTP stack shaded in (docs/ARCHITECTURE.md); each
# module writes the file, the last one (hfi-testkit-envoy) wins.
mvn -B -ntp -q -pl hfi-testkit-envoy -am package dependency:build-classpath -DskipTests \
  -Dmdep.includeScope=test -Dmdep.outputFile="$work/classpath"
# The baseline row "Envoy + empty Wasm filter": the same TeaVM build of a filter that does nothing.
mvn -B -ntp -q -pl hfi-wasm-filter exec:java -Dexec.classpathScope=test \
  -Dexec.mainClass=dev.hfi.filter.internal.build.TeaVmBuild \
  -Dexec.args="dev.hfi.filter.bench.EmptyFilter $work/empty-filter.wasm"
java -cp "hfi-testkit-envoy/target/test-classes:hfi-testkit-envoy/target/classes:$(cat "$work/classpath")" \
  dev.hfi.testkit.EnvoyBenchmark "${1:-10s}" "${2:-2}" "$work/empty-filter.wasm"
