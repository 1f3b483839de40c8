# Pinned versions of what ci/ installs, and the cache folder the scripts own. Sourced, not run.
# ENVOY_VERSION must equal EnvoyBinary.ENVOY_VERSION (EnvoyBinaryTest checks it).
ENVOY_VERSION=1.40.0
# Kubernetes checks (hfi-deploy-tests): Helm built from the Go module proxy, kubernetes-validate from
# PyPI (it carries the Kubernetes OpenAPI schemas of many versions).
HELM_VERSION=4.3.2
KUBERNETES_VALIDATE_VERSION=1.37.0
HFI_CACHE=${HFI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hfi}
# Local stand-ins for the public base images (ci/build-bases.sh), for machines that cannot pull.
LOCAL_DEBIAN_IMAGE=hfi.local/debian:bookworm
LOCAL_JRE_IMAGE=hfi.local/jre:17
LOCAL_JDK_IMAGE=hfi.local/jdk:17
LOCAL_ENVOY_IMAGE=hfi.local/envoy:v$ENVOY_VERSION
LOCAL_ETCD_IMAGE=hfi.local/etcd:3.4
# HFI's own images: $HFI_IMAGE_PREFIX<name>:<tag>, the tag being the Maven project version.
HFI_IMAGE_PREFIX=${HFI_IMAGE_PREFIX:-ghcr.io/hfi-dev/}
