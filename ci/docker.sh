# HFI's own Docker daemon: started on a private socket with its own data and exec roots under the
# cache folder (never the system service, never the default socket), or reused when one already
# answers there. Sourced, not run:
#
#   source ci/docker.sh && hfi_docker_up   # exports DOCKER_HOST and Testcontainers' settings
#
# A daemon started here stops when the sourcing shell exits. Its data root persists in the cache,
# so local base images and the layers of HFI's images survive from one run to the next.
# No image can be pulled on HFI's build machines: the default bridge is off (containers use host
# networking or user-defined networks), iptables is left alone, and Testcontainers' Ryuk (whose
# image cannot be pulled) stays off, so every test removes its own containers.
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
HFI_DOCKER_DIR=${HFI_DOCKER_DIR:-$HFI_CACHE/docker}

hfi_docker_up() {
  local sock="$HFI_DOCKER_DIR/run/docker.sock"
  export DOCKER_HOST="unix://$sock"
  export TESTCONTAINERS_RYUK_DISABLED=true
  # Without it Testcontainers sees /.dockerenv, believes it runs in a container and tries to pull.
  export TESTCONTAINERS_HOST_OVERRIDE=localhost
  # Public images cannot be pulled here: tests and the compose environment use the local
  # stand-ins for etcd and for the sample service's bases.
  export HFI_IMAGE_ETCD="$LOCAL_ETCD_IMAGE" HFI_JDK_BASE="$LOCAL_JDK_IMAGE" HFI_JRE_BASE="$LOCAL_JRE_IMAGE"
  if docker info >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$HFI_DOCKER_DIR/data" "$HFI_DOCKER_DIR/exec" "$HFI_DOCKER_DIR/run"
  rm -f "$sock"
  echo "ci/docker: starting dockerd on $sock" >&2
  dockerd --data-root "$HFI_DOCKER_DIR/data" --exec-root "$HFI_DOCKER_DIR/exec" \
    --pidfile "$HFI_DOCKER_DIR/run/dockerd.pid" -H "$DOCKER_HOST" \
    --bridge=none --iptables=false >"$HFI_DOCKER_DIR/dockerd.log" 2>&1 &
  HFI_DOCKERD_PID=$!
  trap hfi_docker_down EXIT
  # dockerd announces readiness only to systemd; its API answering is the signal here.
  local waited=0
  until docker info >/dev/null 2>&1; do
    if ! kill -0 "$HFI_DOCKERD_PID" 2>/dev/null || ((waited >= 300)); then
      echo "ci/docker: dockerd did not come up; its log ($HFI_DOCKER_DIR/dockerd.log) ends:" >&2
      tail -20 "$HFI_DOCKER_DIR/dockerd.log" >&2
      return 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

hfi_docker_down() {
  [ -n "${HFI_DOCKERD_PID:-}" ] || return 0
  echo "ci/docker: stopping dockerd" >&2
  # Containers a failed test left behind go first, so dockerd's shutdown does not wait on them.
  docker ps -aq | xargs -r docker rm -f >/dev/null 2>&1 || true
  kill "$HFI_DOCKERD_PID" 2>/dev/null || true
  wait "$HFI_DOCKERD_PID" 2>/dev/null || true
  HFI_DOCKERD_PID=
}
