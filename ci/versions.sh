# Pinned versions of what ci/ installs, and the cache folder the scripts own. Sourced, not run.
# ENVOY_VERSION must match EnvoyContainer.DEFAULT_IMAGE (envoyproxy/envoy:v$ENVOY_VERSION).
ENVOY_VERSION=1.40.0
HFI_CACHE=${HFI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hfi}
