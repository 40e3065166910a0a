#!/usr/bin/env bash
# Builds one image per Ballast service from deploy/Dockerfile (npm run images).
#
#   bash scripts/images.sh [service...]     default: all six
#
# Environment:
#   IMAGE_REPOSITORY  image name prefix (default ballast): images are <prefix>/<service>:<version>
#   IMAGE_TAG         tag (default: the version in package.json)
#   DOCKER            the docker-compatible client (default docker; podman works too)
# Where no engine answers, it prints one line and builds nothing (exit 0).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVICES=(ingress guardrail cache inference judge metrics)
DOCKER="${DOCKER:-docker}"
REPOSITORY="${IMAGE_REPOSITORY:-ballast}"
VERSION="$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$ROOT/package.json" | head -1)"
TAG="${IMAGE_TAG:-$VERSION}"

selected=("$@")
[[ ${#selected[@]} -gt 0 ]] || selected=("${SERVICES[@]}")
for service in "${selected[@]}"; do
  [[ " ${SERVICES[*]} " == *" $service "* ]] || { echo "images.sh: unknown service '$service' (one of: ${SERVICES[*]})" >&2; exit 64; }
done

if ! command -v "$DOCKER" >/dev/null 2>&1 || ! "$DOCKER" info >/dev/null 2>&1; then
  echo "images.sh: no container engine answers ('$DOCKER info' failed): no image built; see docs/operations.md for the expected image sizes"
  exit 0
fi

revision="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
for service in "${selected[@]}"; do
  image="$REPOSITORY/$service:$TAG"
  echo "images.sh: building $image"
  "$DOCKER" build -f "$ROOT/deploy/Dockerfile" \
    --build-arg "SERVICE=$service" --build-arg "VERSION=$VERSION" \
    --build-arg "REVISION=$revision" --build-arg "CREATED=$created" \
    -t "$image" "$ROOT"
done
"$DOCKER" image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep "^$REPOSITORY/" || true
