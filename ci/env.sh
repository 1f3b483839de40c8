# Exports what tests read to find the tools ci/install-deps.sh installed. Sourced, not run.
source "$(dirname "${BASH_SOURCE[0]}")/versions.sh"
if [ -z "${HFI_ENVOY_BINARY:-}" ] && [ -f "$HFI_CACHE/envoy-binary" ]; then
  HFI_ENVOY_BINARY=$(cat "$HFI_CACHE/envoy-binary")
  export HFI_ENVOY_BINARY
fi
# Helm and kubernetes-validate, where ci/install-deps.sh puts them (hfi-deploy-tests reads these).
if [ -z "${HFI_HELM:-}" ] && [ -x "$HFI_CACHE/helm-$HELM_VERSION/bin/helm" ]; then
  export HFI_HELM="$HFI_CACHE/helm-$HELM_VERSION/bin/helm"
fi
if [ -z "${HFI_KUBERNETES_VALIDATE:-}" ] \
  && [ -x "$HFI_CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION/bin/kubernetes-validate" ]; then
  export HFI_KUBERNETES_VALIDATE="$HFI_CACHE/kubernetes-validate-$KUBERNETES_VALIDATE_VERSION/bin/kubernetes-validate"
fi
