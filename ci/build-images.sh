#!/usr/bin/env bash
# Builds HFI's images from the Dockerfiles under deploy/docker/ (docs/CONTAINERS.md):
#   hfi-control-plane, hfi-proxy, hfi-envoy, hfi-filter
# named $HFI_IMAGE_PREFIX<name>:<tag> (default prefix ghcr.io/hfi-dev/, tag the Maven version).
#
#   ci/build-images.sh                  FROM local bases (ci/build-bases.sh builds or reuses them),
#                                       as on HFI's build machines, which cannot pull any image
#   ci/build-images.sh --public-bases   FROM the public images the Dockerfiles name (pulled)
#   ci/build-images.sh --if-docker      as the first, or nothing when no Docker daemon answers
#                                       (the Maven reactor's call: container tests then skip)
#
# Against the daemon DOCKER_HOST names. Needs hfi-cli/target/hfi.jar and the compiled
# hfi-filter.wasm: built with Maven first when missing (the reactor calls this script after
# packaging them). Prints each image with its size and the build time.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/versions.sh

bases=local
case "${1:-}" in
  --public-bases) bases=public ;;
  --if-docker)
    if ! docker info >/dev/null 2>&1; then
      echo "ci/build-images: no Docker daemon answers (DOCKER_HOST=${DOCKER_HOST:-unset}): images not built" >&2
      exit 0
    fi
    ;;
  "") ;;
  *)
    echo "usage: ci/build-images.sh [--public-bases | --if-docker]" >&2
    exit 2
    ;;
esac

jar=hfi-cli/target/hfi.jar
wasm=hfi-wasm-filter/target/classes/dev/hfi/filter/hfi-filter.wasm
if [ ! -f "$jar" ] || [ ! -f "$wasm" ]; then
  echo "ci/build-images: building $jar and hfi-filter.wasm" >&2
  mvn -B -ntp -q -pl hfi-cli -am package -DskipTests
fi
version=$(sed -n '/<artifactId>hfi-parent<\/artifactId>/{n;s/.*<version>\(.*\)<\/version>.*/\1/p}' pom.xml)
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
tag=${HFI_IMAGE_TAG:-$version}

base_args=()
if [ "$bases" = local ]; then
  ci/build-bases.sh
  base_args=(
    --build-arg "JRE_BASE=$LOCAL_JRE_IMAGE"
    --build-arg "JDK_BASE=$LOCAL_JDK_IMAGE"
    --build-arg "ENVOY_BASE=$LOCAL_ENVOY_IMAGE"
    --build-arg "DEBIAN_BASE=$LOCAL_DEBIAN_IMAGE"
  )
fi

contexts=$(mktemp -d)
trap 'rm -rf "$contexts"' EXIT
started=$SECONDS
for name in hfi-control-plane hfi-proxy hfi-envoy hfi-filter; do
  context="$contexts/$name"
  cp -r "deploy/docker/$name" "$context"
  case "$name" in
    hfi-filter) cp "$wasm" "$context/plugin.wasm" ;;
    *)
      cp "$jar" hfi-cli/src/main/sh/hfi deploy/docker/common/hfi-healthcheck "$context/"
      [ "$name" = hfi-envoy ] && cp "$wasm" "$context/"
      ;;
  esac
  image="$HFI_IMAGE_PREFIX$name:$tag"
  echo "ci/build-images: building $image ($bases bases)" >&2
  # Unused build arguments (each Dockerfile takes some of the bases) are only a warning.
  DOCKER_BUILDKIT=0 docker build -q --force-rm --network host -t "$image" \
    --build-arg "VERSION=$version" --build-arg "REVISION=$revision" "${base_args[@]}" \
    "$context" 2> >(grep -v -e 'legacy builder is deprecated' -e 'BuildKit is currently disabled' \
      -e 'environment-variable' -e '^\s*$' -e 'were not consumed' -e '^\[Warning\]' >&2) >/dev/null
done
# The images these replaced would pile up in the daemon's persistent data root.
docker image prune -f >/dev/null
echo "ci/build-images: built in $((SECONDS - started)) s:" >&2
docker image ls --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' | grep -F "$HFI_IMAGE_PREFIX" | grep -F ":$tag " >&2 || true
