#!/usr/bin/env bash
# Runs every test of the reactor (unit *Test and integration *IT, slow ones included, real Envoy
# and real containers among them) after installing whatever a fresh machine lacks. HFI's own Docker
# daemon runs for the duration (ci/docker.sh); the reactor builds the images once it has packaged
# the jars (hfi-containers). Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
source ci/env.sh
source ci/docker.sh
hfi_docker_up
# Container tests fail, rather than skip, when Docker or an image is missing.
mvn -B -ntp verify -Dhfi.requireDocker=true "$@"
