#!/usr/bin/env bash
# Local PostgreSQL for dev and CI, from Debian's packages (no Docker).
#
#   bash scripts/postgres.sh up      install (if needed) + start the cluster, create role/databases, print DATABASE_URL
#   bash scripts/postgres.sh down    stop the cluster, but only if `up` started it
#   bash scripts/postgres.sh status
#
# If DATABASE_URL is set, `up` only checks that it answers `select 1` and changes nothing.
# Creates (idempotently) role ballast/ballast (LOGIN CREATEDB) and databases ballast and ballast_test.
# Marker: .data/postgres.started-by-script records that `up` started the cluster (so `down` may stop it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MARKER="$ROOT/.data/postgres.started-by-script"
PG_USER="${PG_USER:-ballast}"
PG_PASSWORD="${PG_PASSWORD:-ballast}"
PG_DB="${PG_DB:-ballast}"
PG_TEST_DB="${PG_TEST_DB:-ballast_test}"
PG_HOST=127.0.0.1
PG_CLUSTER="${PG_CLUSTER:-main}"

log() { echo "postgres.sh: $*"; }
die() { echo "postgres.sh: ERROR: $*" >&2; exit 1; }

as_root() {
  if [[ "$(id -u)" == 0 ]]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# run a command as the postgres OS user (peer auth over the local socket)
as_postgres() {
  if [[ "$(id -un)" == postgres ]]; then "$@"
  elif [[ "$(id -u)" == 0 ]]; then (cd / && runuser -u postgres -- "$@")
  elif command -v sudo >/dev/null 2>&1; then (cd / && sudo -u postgres "$@")
  else die "need root, sudo or the postgres user to run: $*"
  fi
}

pg_version() {
  # highest installed server version, e.g. 15
  local v
  v="$(ls -1d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sed -E 's#/usr/lib/postgresql/([0-9]+)/bin/postgres#\1#' | sort -n | tail -n 1)"
  echo "$v"
}

ensure_installed() {
  if [[ -n "$(pg_version)" ]] && command -v pg_ctlcluster >/dev/null 2>&1 && command -v psql >/dev/null 2>&1; then
    return 0
  fi
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL server binaries are missing and apt-get is not available; install PostgreSQL 15+ or set DATABASE_URL"
  log "PostgreSQL server binaries missing: apt-get install -y postgresql"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  [[ -n "$(pg_version)" ]] || die "apt-get install postgresql finished but no server binaries in /usr/lib/postgresql/*/bin"
}

# prints "<status> <port>" for cluster $1/$2, or nothing if the cluster does not exist
cluster_info() {
  pg_lsclusters --no-header 2>/dev/null | awk -v v="$1" -v c="$2" '$1 == v && $2 == c { print $4, $3 }'
}

cmd_up() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    log "DATABASE_URL is set: using it, not starting a local cluster"
    command -v psql >/dev/null 2>&1 || die "psql not found to check DATABASE_URL (apt-get install -y postgresql-client)"
    if psql "$DATABASE_URL" -qtAX -c 'select 1' >/dev/null; then
      log "DATABASE_URL answers select 1"
      return 0
    fi
    die "DATABASE_URL does not answer select 1"
  fi

  ensure_installed
  local ver info status port
  ver="$(pg_version)"
  info="$(cluster_info "$ver" "$PG_CLUSTER")"
  if [[ -z "$info" ]]; then
    log "creating cluster $ver/$PG_CLUSTER"
    as_root pg_createcluster "$ver" "$PG_CLUSTER" >/dev/null
    info="$(cluster_info "$ver" "$PG_CLUSTER")"
  fi
  read -r status port <<<"$info"
  if [[ "$status" != online* ]]; then
    log "starting cluster $ver/$PG_CLUSTER (port $port)"
    as_root pg_ctlcluster "$ver" "$PG_CLUSTER" start
    mkdir -p "$(dirname "$MARKER")"
    echo "$ver $PG_CLUSTER" >"$MARKER"
  else
    log "cluster $ver/$PG_CLUSTER already running (port $port)"
  fi

  local i
  for ((i = 0; i < 60; i++)); do
    pg_isready -q -h "$PG_HOST" -p "$port" && break
    sleep 0.5
  done
  pg_isready -q -h "$PG_HOST" -p "$port" || die "PostgreSQL $ver/$PG_CLUSTER not accepting connections on $PG_HOST:$port (see /var/log/postgresql/postgresql-$ver-$PG_CLUSTER.log)"

  # role + databases, idempotent (password is (re)set each time so it always matches)
  as_postgres psql -p "$port" -qX -v ON_ERROR_STOP=1 -v u="$PG_USER" -v pw="$PG_PASSWORD" -d postgres >/dev/null <<'SQL'
SELECT format('CREATE ROLE %I LOGIN CREATEDB', :'u') WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'u') \gexec
SELECT format('ALTER ROLE %I WITH LOGIN CREATEDB PASSWORD %L', :'u', :'pw') \gexec
SQL
  local db
  for db in "$PG_DB" "$PG_TEST_DB"; do
    as_postgres psql -p "$port" -qX -v ON_ERROR_STOP=1 -v u="$PG_USER" -v db="$db" -d postgres >/dev/null <<'SQL'
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'u') WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') \gexec
SQL
  done

  local url="postgres://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:${port}/${PG_DB}"
  local test_url="postgres://${PG_USER}:${PG_PASSWORD}@${PG_HOST}:${port}/${PG_TEST_DB}"
  psql "$url" -qtAX -c 'select 1' >/dev/null || die "could not connect as $url"
  psql "$test_url" -qtAX -c 'select 1' >/dev/null || die "could not connect as $test_url"
  log "PostgreSQL $ver ready"
  echo "DATABASE_URL=$url"
  echo "TEST_DATABASE_URL=$test_url"
}

cmd_down() {
  if [[ -n "${DATABASE_URL:-}" && ! -f "$MARKER" ]]; then
    log "DATABASE_URL is set: nothing to stop"
    return 0
  fi
  if [[ ! -f "$MARKER" ]]; then
    log "cluster was not started by this script (no $MARKER): leaving it as it is"
    return 0
  fi
  local ver cluster
  read -r ver cluster <"$MARKER"
  local info
  info="$(cluster_info "$ver" "$cluster")"
  if [[ "$info" == online* ]]; then
    log "stopping cluster $ver/$cluster"
    as_root pg_ctlcluster "$ver" "$cluster" stop
  else
    log "cluster $ver/$cluster is not running"
  fi
  rm -f "$MARKER"
}

cmd_status() {
  if [[ -n "${DATABASE_URL:-}" ]]; then
    log "DATABASE_URL is set"
    psql "$DATABASE_URL" -qtAX -c 'select version()'
    return
  fi
  command -v pg_lsclusters >/dev/null 2>&1 || { log "PostgreSQL not installed"; return 3; }
  pg_lsclusters
  [[ -f "$MARKER" ]] && log "started by this script ($(cat "$MARKER"))"
  return 0
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *)
    echo "usage: bash scripts/postgres.sh up|down|status" >&2
    exit 2
    ;;
esac
