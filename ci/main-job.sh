#!/usr/bin/env bash
# The main job: runs the example suites (resilient clients, and a Spring Boot service, tested with
# @InjectFault) on the embedded stack - the control plane in-process and the real hfi-filter.wasm in the embedded data plane.
# The modules the examples use are built and installed first without their own tests (ci/test.sh
# runs those). Extra arguments go to the example run.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
source ci/env.sh
mvn -B -ntp -q -pl examples,examples/spring-boot-service -am install -DskipTests \
  -Dhfi.examples.skipContainers=true
exec mvn -B -ntp -pl examples,examples/spring-boot-service verify -Dhfi.examples.skipEnvoy=true \
  -Dhfi.examples.skipContainers=true "$@"
