#!/usr/bin/env bash
# The Helm the chart tests render with: helm.sh/helm/v4 at a pinned version, compiled from the Go
# module proxy into .tools/bin (git-ignored). There is no helm Debian package; Go is all it needs.
#
#   bash scripts/helm.sh install     build .tools/bin/helm once (minutes the first time; a no-op after)
#   bash scripts/helm.sh path        print the binary's path (exit 1 when it is not installed)
#   bash scripts/helm.sh <args...>   run it: bash scripts/helm.sh template deploy/helm/ballast
#
# Environment: HELM_VERSION (default v4.3.2), GO (default go).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HELM_VERSION="${HELM_VERSION:-v4.3.2}"
BIN_DIR="$ROOT/.tools/bin"
HELM="$BIN_DIR/helm"
STAMP="$BIN_DIR/helm.version"
GO="${GO:-go}"
# A non-interactive shell may not have the Go toolchain's directory on PATH.
if ! command -v "$GO" >/dev/null 2>&1 && [[ -x /usr/local/go/bin/go ]]; then GO=/usr/local/go/bin/go; fi

installed() { [[ -x "$HELM" && -f "$STAMP" && "$(cat "$STAMP")" == "$HELM_VERSION" ]]; }

install() {
  if installed; then echo "helm.sh: $HELM is helm $HELM_VERSION"; return 0; fi
  command -v "$GO" >/dev/null 2>&1 || { echo "helm.sh: go not found; install Go 1.25+ (Debian: apt-get install golang) to build helm $HELM_VERSION" >&2; exit 1; }
  mkdir -p "$BIN_DIR"
  echo "helm.sh: building helm $HELM_VERSION from the Go module proxy into $BIN_DIR (a few minutes the first time)"
  local started=$SECONDS
  GOFLAGS=-mod=mod GOBIN="$BIN_DIR" "$GO" install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION"
  echo "$HELM_VERSION" >"$STAMP"
  echo "helm.sh: built $("$HELM" version --short 2>/dev/null || echo helm) in $(( SECONDS - started ))s"
}

case "${1:-}" in
  install) install ;;
  path) installed && echo "$HELM" || { echo "helm.sh: helm $HELM_VERSION is not installed; run bash scripts/helm.sh install" >&2; exit 1; } ;;
  '' ) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) installed || install >&2; exec "$HELM" "$@" ;;
esac
