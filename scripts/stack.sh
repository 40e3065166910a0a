#!/usr/bin/env bash
# Distributed Ballast on one machine: Kafka, Postgres and the six services as separate processes.
#
#   bash scripts/stack.sh up       Kafka + Postgres up, build if needed, seed, start the six services, wait until ready
#   bash scripts/stack.sh down     SIGTERM the services (SIGKILL after STACK_STOP_TIMEOUT s); Kafka and Postgres keep running
#   bash scripts/stack.sh status   which services run and answer /health/ready
#   bash scripts/stack.sh build    only (re)build dist/ when it is missing or older than the sources
#
#   --secure (with up): against the secure local broker (bash scripts/kafka.sh up --secure,
#   SASL_SSL on 127.0.0.1:9094 with ACLs); each service connects as its own SCRAM user with its
#   own password file (.kafka/secure/credentials/<service>.password) and verifies the broker
#   against .kafka/secure/tls/ca.crt.
#
# Environment:
#   KAFKA_BROKERS        use this cluster instead of starting the local broker (scripts/kafka.sh)
#   DATABASE_URL         use this database instead of the local cluster (scripts/postgres.sh)
#   BALLAST_API_KEY      API key seeded for tenant `demo` (default dev-key)
#   BALLAST_PROMPTS_DIR  prompts seeded (default prompts)
#   STACK_BASE_PORT      ingress port; the others follow: guardrail +1, cache +2, inference +3, judge +4, metrics +5 (default 8080)
#   STACK_READY_TIMEOUT  seconds to wait for every service's /health/ready (default 90)
#   STACK_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL on `down` (default 15)
#   Anything else a service reads (LOG_LEVEL, BALLAST_CONSUMER_CONCURRENCY, SIMULATOR_TTFT_MS, ...) is passed through.
#
# State lives in .data/stack/ (gitignored): <service>.log, <service>.pid, <service>.port.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="$ROOT/.data/stack"
SECURE=0
ARGS=()
for a in "$@"; do
  if [[ "$a" == "--secure" ]]; then SECURE=1; else ARGS+=("$a"); fi
done
set -- "${ARGS[@]+"${ARGS[@]}"}"
SECURE_DIR="$ROOT/.kafka/secure"
# Order matters: downstream stages first, so nothing publishes to a topic whose consumer has not joined.
SERVICES=(metrics judge inference cache guardrail ingress)
BASE_PORT="${STACK_BASE_PORT:-8080}"
READY_TIMEOUT="${STACK_READY_TIMEOUT:-90}"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-15}"

log() { echo "stack.sh: $*"; }
die() { echo "stack.sh: ERROR: $*" >&2; exit 1; }

node_bin() {
  # The project brings Node 24 as a devDependency; the machine's node may be older.
  if [[ -x "$ROOT/node_modules/.bin/node" ]]; then echo "$ROOT/node_modules/.bin/node"
  else die "node_modules/.bin/node missing: run npm ci in $ROOT"
  fi
}

port_of() {
  case "$1" in
    ingress) echo $((BASE_PORT + 0)) ;;
    guardrail) echo $((BASE_PORT + 1)) ;;
    cache) echo $((BASE_PORT + 2)) ;;
    inference) echo $((BASE_PORT + 3)) ;;
    judge) echo $((BASE_PORT + 4)) ;;
    metrics) echo $((BASE_PORT + 5)) ;;
    *) die "unknown service $1" ;;
  esac
}

entry_of() { echo "$ROOT/dist/services/$1/src/main.js"; }

# True when the pid file names a live process that runs this service's entry point.
svc_alive() {
  local name="$1" pid
  [[ -f "$STATE/$name.pid" ]] || return 1
  pid="$(cat "$STATE/$name.pid" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "dist/services/$name/src/main.js" || return 1
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_ready() { curl -sf -m 2 -o /dev/null "http://127.0.0.1:$1/health/ready"; }

# ---------------------------------------------------------------------------------------------
# Kafka and Postgres

ensure_kafka() {
  if ((SECURE)); then
    bash "$ROOT/scripts/kafka.sh" up --secure 2>&1 | sed 's/^/  /' || die "the secure Kafka broker did not come up (bash scripts/kafka.sh up --secure)"
    export KAFKA_BROKERS="127.0.0.1:${KAFKA_SECURE_PORT:-9094}"
    return 0
  fi
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "KAFKA_BROKERS=$KAFKA_BROKERS is set: using that cluster"
    return 0
  fi
  bash "$ROOT/scripts/kafka.sh" up 2>&1 | sed 's/^/  /' || die "Kafka did not come up (bash scripts/kafka.sh up)"
  export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
}

ensure_postgres() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    log "DATABASE_URL is set: checking it answers"
    bash "$ROOT/scripts/postgres.sh" up 2>&1 | sed 's/^/  /' || die "DATABASE_URL does not answer"
    return 0
  fi
  local out
  out="$(bash "$ROOT/scripts/postgres.sh" up)" || { echo "$out" >&2; die "Postgres did not come up (bash scripts/postgres.sh up)"; }
  sed 's/^/  /' <<<"$out"
  DATABASE_URL="$(sed -n 's/^DATABASE_URL=//p' <<<"$out" | tail -n 1)"
  [[ -n "$DATABASE_URL" ]] || die "scripts/postgres.sh up printed no DATABASE_URL"
  export DATABASE_URL
}

# ---------------------------------------------------------------------------------------------
# Build

# Written (stamped with the time the build started) only when a build succeeds: a failed build
# emits files too, and must not make dist/ look fresh to the next `up`.
BUILD_STAMP="$STATE/build.stamp"

# dist/ is stale when an entry point is missing, the last build failed, or any compiled source
# (or the build config) changed since the last good build started.
dist_stale() {
  local name
  for name in "${SERVICES[@]}" ; do
    [[ -f "$(entry_of "$name")" ]] || return 0
  done
  [[ -f "$ROOT/dist/apps/cli/src/main.js" && -f "$BUILD_STAMP" ]] || return 0
  local oldest="$BUILD_STAMP" newer
  newer="$(cd "$ROOT" && find libs services apps tools tsconfig.json tsconfig.build.json package.json \
    \( -name node_modules -o -name test -o -name testing \) -prune -o \
    -type f \( -name '*.ts' -o -name '*.json' \) ! -name '*.spec.ts' ! -name '*.infra-spec.ts' ! -name '*.e2e-spec.ts' \
    -newer "$oldest" -print 2>/dev/null | head -n 1 || true)"
  [[ -n "$newer" ]]
}

build() {
  if ! dist_stale; then
    log "dist/ is up to date"
    return 0
  fi
  log "building (npm run build)"
  mkdir -p "$STATE"
  rm -f "$BUILD_STAMP"
  touch "$BUILD_STAMP.next"
  local out rc=0
  out="$(cd "$ROOT" && npm run build --silent 2>&1)" || rc=$?
  if ((rc != 0)); then
    # tsc emits even when type checking fails. Test helpers that tsconfig.build.json picks up
    # (jest globals in *.infra-spec.ts, libs/*/src/testing/) do not matter for the services;
    # anything else does.
    local real
    real="$(grep -E 'error TS[0-9]+' <<<"$out" | grep -vE '\.(infra-|e2e-)?spec\.ts\(|/testing/' || true)"
    if [[ -n "$real" ]]; then
      echo "$out" >&2
      die "build failed"
    fi
    log "warning: tsc reported type errors only in test files ($(grep -cE 'error TS[0-9]+' <<<"$out") errors, e.g. $(grep -oE '^[^(]+' <<<"$out" | sort -u | head -n 3 | tr '\n' ' ')); the service code compiled"
  fi
  for name in "${SERVICES[@]}"; do
    [[ -f "$(entry_of "$name")" ]] || die "build produced no $(entry_of "$name")"
  done
  [[ -f "$ROOT/dist/apps/cli/src/main.js" ]] || die "build produced no dist/apps/cli/src/main.js"
  mv -f "$BUILD_STAMP.next" "$BUILD_STAMP"
}

# ---------------------------------------------------------------------------------------------
# Services

seed() {
  log "seeding $(sed -E 's#//[^@]*@#//***@#' <<<"$DATABASE_URL") (tenant demo, prompts from ${BALLAST_PROMPTS_DIR:-prompts}/)"
  (cd "$ROOT" && "$(node_bin)" dist/apps/cli/src/main.js seed) 2>&1 | sed 's/^/  /' || die "seeding failed"
}

start_service() {
  local name="$1" port pid
  port="$(port_of "$name")"
  if svc_alive "$name"; then
    log "$name already running (pid $(cat "$STATE/$name.pid"), port $(cat "$STATE/$name.port" 2>/dev/null || echo '?'))"
    return 0
  fi
  rm -f "$STATE/$name.pid" "$STATE/$name.port"
  port_open "$port" && die "port $port (for $name) is in use by another process; set STACK_BASE_PORT"
  [[ -f "$STATE/$name.log" ]] && mv -f "$STATE/$name.log" "$STATE/$name.log.1"
  # setsid + nohup: the service outlives this shell and the terminal; $! is node's own pid
  # (exec in a non-interactive background subshell).
  (
    cd "$ROOT"
    export BALLAST_MODE=distributed BALLAST_PORT="$port" KAFKA_BROKERS DATABASE_URL
    export KAFKA_CLIENT_ID="${KAFKA_CLIENT_ID:-ballast}"
    [[ "$name" == ingress ]] && export INGRESS_INSTANCE_ID="${INGRESS_INSTANCE_ID:-stack-$(hostname)-$port}"
    if ((SECURE)); then
      # Its own principal: the ACLs let it read and write only its own topics and groups.
      export KAFKA_TLS_CA_FILE="$SECURE_DIR/tls/ca.crt" KAFKA_SASL_USERNAME="$name" KAFKA_SASL_PASSWORD_FILE="$SECURE_DIR/credentials/$name.password"
      unset KAFKA_SASL_PASSWORD
    fi
    unset NODE_OPTIONS
    exec setsid nohup "$(node_bin)" --enable-source-maps --disable-warning=TimeoutNegativeWarning "$(entry_of "$name")" >"$STATE/$name.log" 2>&1 </dev/null
  ) &
  pid=$!
  echo "$pid" >"$STATE/$name.pid"
  echo "$port" >"$STATE/$name.port"
  log "started $name (pid $pid, port $port, log .data/stack/$name.log)"
}

wait_ready() {
  local deadline=$((SECONDS + READY_TIMEOUT)) pending=("${SERVICES[@]}") still name port
  while ((${#pending[@]} > 0)); do
    still=()
    for name in "${pending[@]}"; do
      port="$(cat "$STATE/$name.port")"
      if ! svc_alive "$name"; then
        echo "stack.sh: $name exited during startup; last lines of .data/stack/$name.log:" >&2
        tail -n 30 "$STATE/$name.log" >&2 || true
        return 1
      fi
      if http_ready "$port"; then log "$name ready on :$port"; else still+=("$name"); fi
    done
    pending=("${still[@]+"${still[@]}"}")
    ((${#pending[@]} == 0)) && break
    if ((SECONDS >= deadline)); then
      for name in "${pending[@]}"; do
        echo "stack.sh: $name not ready after ${READY_TIMEOUT}s; last lines of .data/stack/$name.log:" >&2
        tail -n 15 "$STATE/$name.log" >&2 || true
      done
      return 1
    fi
    sleep 0.5
  done
}

cmd_up() {
  local t0=$SECONDS
  command -v curl >/dev/null 2>&1 || die "curl is needed for the readiness checks"
  mkdir -p "$STATE"
  ensure_kafka
  ensure_postgres
  build
  seed
  local name
  for name in "${SERVICES[@]}"; do start_service "$name"; done
  if ! wait_ready; then
    die "the stack did not come up; stop what started with: npm run stack:down"
  fi
  log "up in $((SECONDS - t0))s: ingress http://127.0.0.1:$(port_of ingress), KAFKA_BROKERS=$KAFKA_BROKERS$( ((SECURE)) && echo ' (SASL_SSL, one principal per service)')"
  cat <<EOF

Try it:
  curl -s 'http://127.0.0.1:$(port_of ingress)/v1/requests?wait=true' \\
    -H 'authorization: Bearer ${BALLAST_API_KEY:-dev-key}' -H 'content-type: application/json' \\
    -d '{"requestId":"hello-1","prompt":{"name":"support-answer"},"variables":{"question":"Where is my parcel?"}}'

Logs: .data/stack/<service>.log   Stop: npm run stack:down
EOF
}

stop_service() {
  local name="$1" pid i
  if ! svc_alive "$name"; then
    rm -f "$STATE/$name.pid" "$STATE/$name.port"
    return 0
  fi
  pid="$(cat "$STATE/$name.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  echo "$pid"
}

cmd_down() {
  [[ -d "$STATE" ]] || { log "nothing running"; return 0; }
  local name pid pids=() names=() i any=0
  # SIGTERM to all: each stops consuming, finishes and commits what it started, then exits.
  for name in ingress guardrail cache inference judge metrics; do
    pid="$(stop_service "$name")"
    if [[ -n "$pid" ]]; then pids+=("$pid"); names+=("$name"); any=1; log "SIGTERM $name (pid $pid)"; fi
  done
  ((any)) || { log "nothing running"; return 0; }
  for ((i = 0; i < STOP_TIMEOUT * 10; i++)); do
    local alive=0 p
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for i in "${!pids[@]}"; do
    if kill -0 "${pids[$i]}" 2>/dev/null; then
      log "${names[$i]} did not stop within ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "${pids[$i]}" 2>/dev/null || true
    fi
    rm -f "$STATE/${names[$i]}.pid" "$STATE/${names[$i]}.port"
  done
  log "stopped (Kafka and Postgres keep running: bash scripts/kafka.sh down, bash scripts/postgres.sh down)"
}

cmd_status() {
  local name port rc=0
  for name in ingress guardrail cache inference judge metrics; do
    if svc_alive "$name"; then
      port="$(cat "$STATE/$name.port" 2>/dev/null || echo '?')"
      if http_ready "$port"; then log "$name: running (pid $(cat "$STATE/$name.pid"), port $port), ready"
      else log "$name: running (pid $(cat "$STATE/$name.pid"), port $port), NOT ready"; rc=1
      fi
    else
      log "$name: not running"; rc=3
    fi
  done
  return $rc
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  build) build ;;
  *)
    echo "usage: bash scripts/stack.sh up [--secure]|down|status|build" >&2
    exit 2
    ;;
esac
