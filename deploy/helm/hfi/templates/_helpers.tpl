{{/* Labels of every object; names are fixed (hfi-control-plane, hfi-etcd) so that the Service's DNS
name is the one the filter and Istio's WasmPlugin use. */}}
{{- define "hfi.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: hfi
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end }}

{{- define "hfi.selector" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "hfi.tokenSecret" -}}
{{- default "hfi-control-plane-token" .Values.token.existingSecret -}}
{{- end }}

{{- define "hfi.etcdEndpoints" -}}
{{- if .Values.store.etcd.bundled.enabled -}}
http://hfi-etcd.{{ .Release.Namespace }}.svc.cluster.local:2379
{{- else -}}
{{- required "store.etcd.endpoints: set the endpoints of your etcd (or store.etcd.bundled.enabled=true)" .Values.store.etcd.endpoints -}}
{{- end -}}
{{- end }}

{{- define "hfi.checks" -}}
{{- if not (has .Values.store.type (list "memory" "etcd")) -}}
{{- fail (printf "store.type %q: must be memory or etcd" .Values.store.type) -}}
{{- end -}}
{{- if and (eq .Values.store.type "memory") (gt (int .Values.controlPlane.replicas) 1) -}}
{{- fail "store.type=memory keeps the policies in each replica's memory: set controlPlane.replicas=1, or use store.type=etcd" -}}
{{- end -}}
{{- end }}
