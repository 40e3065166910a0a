{{/* The release's name prefix for every object: <release>-ballast, or <release> when it already says ballast. */}}
{{- define "ballast.fullname" -}}
{{- if contains "ballast" .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-ballast" .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ballast.labels" -}}
app.kubernetes.io/name: ballast
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: ballast
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* Selector labels of one service: (dict "root" $ "name" "guardrail") */}}
{{- define "ballast.selectorLabels" -}}
app.kubernetes.io/name: ballast
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "ballast.serviceLabels" -}}
{{ include "ballast.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "ballast.image" -}}
{{- printf "%s/%s:%s" .root.Values.image.repository .name (.root.Values.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{- define "ballast.configName" -}}{{ include "ballast.fullname" . }}-config{{- end -}}
{{- define "ballast.secretName" -}}{{ .Values.existingSecret | default (printf "%s-secrets" (include "ballast.fullname" .)) }}{{- end -}}
{{- define "ballast.databaseSecretName" -}}{{ .Values.postgres.existingSecret | default (printf "%s-database" (include "ballast.fullname" .)) }}{{- end -}}

{{/* Partition count of one topic: (dict "root" $ "topic" "ballast.usage.v1") */}}
{{- define "ballast.topicPartitions" -}}
{{- $o := index (.root.Values.topics.overrides | default dict) .topic | default dict -}}
{{- $o.partitions | default .root.Values.topics.partitions | int -}}
{{- end -}}

{{/* The largest partition count among the topics a service consumes: its useful replica ceiling. */}}
{{- define "ballast.partitionCap" -}}
{{- $cap := 0 -}}
{{- range $group, $topics := .service.consumerGroups -}}
{{- range $topic := $topics -}}
{{- $p := include "ballast.topicPartitions" (dict "root" $.root "topic" $topic) | int -}}
{{- if gt $p $cap -}}{{- $cap = $p -}}{{- end -}}
{{- end -}}
{{- end -}}
{{- $cap -}}
{{- end -}}

{{/* The volumes the secure mode mounts (Kafka and Postgres certificates), for a pod spec. */}}
{{- define "ballast.tlsVolumes" -}}
{{- if .Values.kafka.tls.secretName }}
- name: kafka-tls
  secret:
    secretName: {{ .Values.kafka.tls.secretName }}
{{- end }}
{{- if .Values.postgres.tls.secretName }}
- name: postgres-tls
  secret:
    secretName: {{ .Values.postgres.tls.secretName }}
{{- end }}
{{- end -}}

{{- define "ballast.tlsMounts" -}}
{{- if .Values.kafka.tls.secretName }}
- name: kafka-tls
  mountPath: {{ .Values.kafka.tls.mountPath }}
  readOnly: true
{{- end }}
{{- if .Values.postgres.tls.secretName }}
- name: postgres-tls
  mountPath: {{ .Values.postgres.tls.mountPath }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* DATABASE_URL from the database Secret (the chart's or postgres.existingSecret). */}}
{{- define "ballast.databaseEnv" -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "ballast.databaseSecretName" . }}
      key: {{ .Values.postgres.secretKey }}
{{- end -}}
