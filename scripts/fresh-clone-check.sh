#!/usr/bin/env bash
# The README's first minutes on a fresh clone: `git clone` this repository (committed HEAD) into a
# temp dir, run `npm start` there with nothing installed, wait for the banner, send the README's
# curl request and expect a completed answer, then stop it. Exit 0 when all of that works.
#
#   bash scripts/fresh-clone-check.sh
#
# Environment: FRESH_CLONE_TIMEOUT  seconds to wait for the banner, npm ci and the build included (default 600)
# npm ci in the clone may use the npm cache; it never sees this checkout's node_modules.
set -euo pipefail

src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
timeout_s="${FRESH_CLONE_TIMEOUT:-600}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ballast-fresh-clone.XXXXXX")"
log="$work/npm-start.log"
pid=""

say() { printf 'fresh-clone: %s\n' "$*"; }
fail() {
  say "FAILED: $*"
  if [[ -f "$log" ]]; then say "last lines of npm start:"; tail -n 40 "$log" | sed 's/^/  | /'; fi
  exit 1
}

stop() {
  [[ -n "$pid" ]] || return 0
  # npm start is a process group (npm, sh, node): stop all of it, politely first.
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
}
trap 'stop; rm -rf "$work"' EXIT

git clone --quiet "$src" "$work/ballast"
cd "$work/ballast"
[[ ! -e node_modules ]] || fail "the clone already has node_modules"
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });')"
say "cloned $(git rev-parse --short HEAD) into $work/ballast; npm start on port $port (installs and builds first)"

started=$(date +%s)
# setsid: npm start gets its own process group, so stop() reaches the node process under npm.
env -u BALLAST_API_KEY -u BALLAST_MODE BALLAST_PORT="$port" BALLAST_DATA_DIR="$work/data" \
  setsid npm start </dev/null >"$log" 2>&1 &
pid=$!

until grep -q 'is up on' "$log" 2>/dev/null; do
  kill -0 "$pid" 2>/dev/null || fail "npm start exited before the banner"
  (( $(date +%s) - started < timeout_s )) || fail "no banner after ${timeout_s}s"
  sleep 0.5
done
say "banner after $(( $(date +%s) - started ))s: $(grep -m1 'is up on' "$log")"

body='{"requestId":"hello-1","prompt":{"name":"support-answer"},"variables":{"question":"Where is my parcel?"}}'
answer="$(curl -sS --max-time 60 "http://127.0.0.1:$port/v1/requests?wait=true" \
  -H 'authorization: Bearer dev-key' -H 'content-type: application/json' -d "$body")" || fail "the README's curl request failed"
status="$(node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { console.log(JSON.parse(s).status ?? "none"); } catch { console.log("not-json"); } });' <<<"$answer")"
[[ "$status" == "completed" ]] || fail "expected a completed answer, got status $status: ${answer:0:300}"
say "README request answered: status completed"

stop
say "passed in $(( $(date +%s) - started ))s"
