#!/usr/bin/env bash
# Runs every test of the reactor (unit *Test and integration *IT, slow ones included) after
# installing whatever a fresh machine lacks. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
exec mvn -B -ntp verify "$@"
