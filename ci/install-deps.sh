#!/usr/bin/env bash
# Installs what the build and the tests need on a fresh Debian machine. Idempotent: a machine that
# already has everything is left alone (no apt-get update, no network).
set -euo pipefail

# command -> Debian package that provides it
declare -A wanted=(
  [java]=openjdk-17-jdk-headless
  [mvn]=maven
  [curl]=curl
  [etcd]=etcd-server
  [wrk]=wrk
)

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
