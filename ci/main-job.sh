#!/usr/bin/env bash
# The main job. Until the @InjectFault example suite exists, it builds HFI and starts the control
# plane (in-memory store) on 127.0.0.1:8080; stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
mvn -B -ntp -q install -DskipTests -pl hfi-control-plane -am
exec mvn -B -ntp -q exec:java -pl hfi-control-plane "$@"
