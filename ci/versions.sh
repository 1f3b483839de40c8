# Pinned versions of what ci/ installs, and the cache folder the scripts own. Sourced, not run.
# ENVOY_VERSION must equal EnvoyBinary.ENVOY_VERSION (EnvoyBinaryTest checks it).
ENVOY_VERSION=1.40.0
HFI_CACHE=${HFI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/hfi}
