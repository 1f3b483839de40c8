#!/usr/bin/env bash
# Runs every test of the reactor (unit *Test and integration *IT, slow ones included, real Envoy
# among them) after installing whatever a fresh machine lacks. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
source ci/env.sh
exec mvn -B -ntp verify "$@"
