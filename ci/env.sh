# Exports what tests read to find the tools ci/install-deps.sh installed. Sourced, not run.
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
if [ -z "${HFI_ENVOY_BINARY:-}" ] && [ -f "$HFI_CACHE/envoy-binary" ]; then
  HFI_ENVOY_BINARY=$(cat "$HFI_CACHE/envoy-binary")
  export HFI_ENVOY_BINARY
fi
