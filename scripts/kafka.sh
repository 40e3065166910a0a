#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) for local dev and CI,
# run straight from Maven Central jars: no Docker, no tarball download.
#
#   bash scripts/kafka.sh up            fetch jars (once), format storage (once), start, wait until ready
#   bash scripts/kafka.sh down          stop the broker (SIGTERM, then SIGKILL), keep data
#   bash scripts/kafka.sh down --clean  stop and wipe .kafka/data (also: `clean`)
#   bash scripts/kafka.sh status        is it running and answering metadata?
#
#   --secure (after up, down, clean or status): a second broker beside the plain one, with a
#   SASL_SSL listener (SCRAM-SHA-512 over TLS) on 127.0.0.1:9094 and an mTLS-only controller
#   listener on 9095, data in .kafka/secure/. At first start it generates a CA and the broker's
#   certificate with openssl (.kafka/secure/tls/), creates SCRAM users `admin` (super user) and one
#   per service (ingress, guardrail, cache, inference, judge, metrics) with random passwords in
#   .kafka/secure/credentials/<user>.password (mode 600), turns on the StandardAuthorizer
#   (nothing allowed without an ACL), creates the catalogue's topics and applies the ACLs of
#   `npm run kafka:acls` (each service reads and writes only its own topics and groups).
#   `down --secure --clean` wipes data, certificates and credentials.
#
# Environment:
#   KAFKA_BROKERS          if set, `up` uses that existing cluster and starts nothing
#   KAFKA_VERSION          org.apache.kafka:kafka_2.13 version (default 4.4.0)
#   KAFKA_PORT             client listener port (default 9092; --secure: KAFKA_SECURE_PORT, 9094)
#   KAFKA_CONTROLLER_PORT  KRaft controller port (default 9093; --secure: KAFKA_SECURE_CONTROLLER_PORT, 9095)
#   KAFKA_HEAP_OPTS        JVM heap flags (default "-Xms256m -Xmx512m")
#   KAFKA_AUTO_CREATE_TOPICS  true|false (default true)
#   KAFKA_READY_TIMEOUT    seconds to wait for readiness (default 90)
#   KAFKA_MAVEN_REPO       optional Maven local repository (default: Maven's own, ~/.m2/repository)
#
# Everything lives under .kafka/ (gitignored): lib/ (jars), data/ (log dirs),
# server.properties, log4j2.properties, broker.log, broker.pid.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KDIR="$ROOT/.kafka"
LIB="$KDIR/lib"

SECURE=0
ARGS=()
for a in "$@"; do
  if [[ "$a" == "--secure" ]]; then SECURE=1; else ARGS+=("$a"); fi
done
set -- "${ARGS[@]+"${ARGS[@]}"}"

# The secure broker keeps everything but the jars in .kafka/secure/ (its own data, pid, port, log).
RDIR="$KDIR"
if ((SECURE)); then
  RDIR="$KDIR/secure"
  KAFKA_PORT="${KAFKA_SECURE_PORT:-9094}"
  KAFKA_CONTROLLER_PORT="${KAFKA_SECURE_CONTROLLER_PORT:-9095}"
fi
DATA="$RDIR/data"
PIDFILE="$RDIR/broker.pid"
PORTFILE="$RDIR/broker.port"
LOGFILE="$RDIR/broker.log"
PROPS="$RDIR/server.properties"
LOG4J="$RDIR/log4j2.properties"
TLS_DIR="$RDIR/tls"
CRED_DIR="$RDIR/credentials"
SERVICE_USERS=(ingress guardrail cache inference judge metrics)

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
# slf4j 1.7 is what kafka 4.x depends on, so the matching log4j2 binding is log4j-slf4j-impl.
LOG4J_VERSION="${LOG4J_VERSION:-2.25.5}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_AUTO_CREATE_TOPICS="${KAFKA_AUTO_CREATE_TOPICS:-true}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
LOCAL_BROKERS="127.0.0.1:${KAFKA_PORT}"

log() { echo "kafka.sh: $*"; }
die() { echo "kafka.sh: ERROR: $*" >&2; exit 1; }

node_bin() {
  if [[ -x "$ROOT/node_modules/.bin/node" ]]; then
    echo "$ROOT/node_modules/.bin/node"
  elif command -v node >/dev/null 2>&1; then
    command -v node
  else
    die "node not found (run npm ci in $ROOT)"
  fi
}

require_java() {
  command -v java >/dev/null 2>&1 || die "java not found. Kafka ${KAFKA_VERSION} needs a Java 17+ runtime. Install it with:
    apt-get install -y openjdk-17-jre-headless maven"
  local props v
  props="$(java -XshowSettings:properties -version 2>&1)"
  v="$(awk -F'= ' '/java.specification.version/ {print $2; exit}' <<<"$props")"
  JAVA_RUNTIME_VERSION="$(awk -F'= ' '/java.runtime.version/ {print $2; exit}' <<<"$props")"
  if [[ -n "$v" && "${v%%.*}" -lt 17 ]]; then
    die "java ${v} found, Kafka ${KAFKA_VERSION} needs Java 17+. Install it with:
    apt-get install -y openjdk-17-jre-headless maven"
  fi
}

require_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn (Maven) not found; it is needed once to fetch the Kafka jars from Maven Central. Install it with:
    apt-get install -y openjdk-17-jre-headless maven"
}

pid_alive() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  # guard against a stale pid file whose pid now belongs to something else
  if [[ -r "/proc/$pid/cmdline" ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'kafka\.Kafka' || return 1
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

fetch_jars() {
  local stamp="$LIB/.kafka-version"
  local want="kafka_2.13:${KAFKA_VERSION} log4j-slf4j-impl:${LOG4J_VERSION}"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  require_mvn
  log "fetching org.apache.kafka:kafka_2.13:${KAFKA_VERSION} and its runtime dependencies from Maven Central (once)"
  mkdir -p "$KDIR"
  cat >"$KDIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.ballast</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <!-- generated by scripts/kafka.sh: only used to resolve the broker's runtime classpath -->
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_VERSION}</version></dependency>
  </dependencies>
</project>
EOF
  local tmp="$KDIR/lib.tmp"
  rm -rf "$tmp"
  local repo_opt=()
  [[ -n "${KAFKA_MAVEN_REPO:-}" ]] && repo_opt=("-Dmaven.repo.local=${KAFKA_MAVEN_REPO}")
  if ! mvn -B -q -f "$KDIR/pom.xml" "${repo_opt[@]}" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$KDIR/mvn.log" 2>&1; then
    tail -n 40 "$KDIR/mvn.log" >&2
    die "Maven could not fetch kafka_2.13:${KAFKA_VERSION} (full output: $KDIR/mvn.log)"
  fi
  [[ -f "$tmp/kafka_2.13-${KAFKA_VERSION}.jar" ]] || die "kafka_2.13-${KAFKA_VERSION}.jar missing after Maven run (see $KDIR/mvn.log)"
  rm -rf "$LIB" "$KDIR/cds"
  mv "$tmp" "$LIB"
  echo "$want" >"$stamp"
  log "cached $(ls "$LIB"/*.jar | wc -l) jars in .kafka/lib ($(du -sh "$LIB" | cut -f1))"
}

listener_config() {
  if ((SECURE)); then
    local admin_password
    admin_password="$(cat "$CRED_DIR/admin.password")"
    cat <<EOF
listeners=SASL_SSL://127.0.0.1:${KAFKA_PORT},CONTROLLER://127.0.0.1:${KAFKA_CONTROLLER_PORT}
advertised.listeners=SASL_SSL://127.0.0.1:${KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=SASL_SSL
# Clients: SCRAM-SHA-512 over TLS. The controller listener takes TLS client certificates only
# (SCRAM cannot authenticate KRaft controllers); the broker's certificate is its super user.
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="${admin_password}";
listener.name.controller.ssl.client.auth=required
ssl.keystore.type=PEM
ssl.keystore.location=${TLS_DIR}/broker.pem
ssl.truststore.type=PEM
ssl.truststore.location=${TLS_DIR}/ca.crt
ssl.endpoint.identification.algorithm=https
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:admin;User:CN=ballast-broker
EOF
  else
    cat <<EOF
listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT},CONTROLLER://127.0.0.1:${KAFKA_CONTROLLER_PORT}
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORT}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
EOF
  fi
}

# A CA, the broker's certificate (127.0.0.1 and localhost) and random SCRAM passwords, once per data dir.
generate_secrets() {
  command -v openssl >/dev/null 2>&1 || die "openssl not found; --secure generates its certificates with it (apt-get install -y openssl)"
  mkdir -p "$TLS_DIR" "$CRED_DIR"
  chmod 700 "$TLS_DIR" "$CRED_DIR"
  if [[ ! -s "$TLS_DIR/broker.pem" || ! -s "$TLS_DIR/ca.crt" ]]; then
    log "generating a CA and the broker's certificate in .kafka/secure/tls (openssl)"
    (
      cd "$TLS_DIR"
      umask 077
      openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=ballast-local-ca" \
        -keyout ca.key -out ca.crt -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
      openssl req -newkey rsa:2048 -nodes -subj "/CN=ballast-broker" -keyout broker.key -out broker.csr 2>/dev/null
      printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\nbasicConstraints=CA:FALSE\n' >broker.ext
      openssl x509 -req -in broker.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile broker.ext -out broker.crt 2>/dev/null
      # Kafka's PEM keystore: an unencrypted PKCS#8 key followed by the certificate chain.
      { openssl pkcs8 -topk8 -nocrypt -in broker.key; cat broker.crt ca.crt; } >broker.pem
      rm -f broker.csr broker.ext ca.srl
      chmod 644 ca.crt
    ) || die "certificate generation failed"
  fi
  local user
  for user in admin "${SERVICE_USERS[@]}"; do
    if [[ ! -s "$CRED_DIR/$user.password" ]]; then
      (umask 077 && openssl rand -hex 24 >"$CRED_DIR/$user.password")
    fi
  done
}

write_config() {
  mkdir -p "$DATA"
  cat >"$PROPS" <<EOF
# generated by scripts/kafka.sh on every 'up'; edit the script, not this file
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${KAFKA_CONTROLLER_PORT}
$(listener_config)
log.dirs=${DATA}
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=$( ((SECURE)) && echo false || echo "${KAFKA_AUTO_CREATE_TOPICS}")
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
log.retention.hours=24
log.segment.bytes=104857600
log.retention.check.interval.ms=300000
EOF
  # the secure broker's properties hold the admin password (inter-broker SCRAM login)
  if ((SECURE)); then chmod 600 "$PROPS"; fi
  cat >"$LOG4J" <<'EOF'
# generated by scripts/kafka.sh; stdout is redirected to .kafka/broker.log
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.statechange.name = state.change.logger
logger.statechange.level = WARN
logger.cleaner.name = kafka.log.LogCleaner
logger.cleaner.level = WARN
logger.clients.name = org.apache.kafka.clients
logger.clients.level = WARN
EOF
}

build_java_args() {
  # shellcheck disable=SC2206
  JAVA_ARGS=(java $KAFKA_HEAP_OPTS "${CDS_OPTS[@]}"
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent
    -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$LOG4J"
    -Dkafka.logs.dir="$KDIR"
    -cp "$LIB/*")
}

java_cmd() { build_java_args; "${JAVA_ARGS[@]}" "$@"; }

# Class-data sharing (AppCDS, JDK 13+ dynamic archive) makes warm starts ~1s faster:
# the first broker run records the classes it loaded and the JVM writes the archive when the
# broker exits gracefully (`down`); later starts map it. KAFKA_CDS=0 turns this off.
CDS_OPTS=()
setup_cds() {
  CDS_OPTS=()
  [[ "${KAFKA_CDS:-1}" == "0" ]] && return 0
  local tag="${JAVA_RUNTIME_VERSION:-unknown}"
  tag="${tag//[^A-Za-z0-9._-]/_}"
  local jsa="$KDIR/cds/kafka-${KAFKA_VERSION}-java-${tag}.jsa"
  mkdir -p "$KDIR/cds"
  if [[ -s "$jsa" ]]; then
    CDS_OPTS=(-XX:SharedArchiveFile="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  elif ((SECURE)); then
    CDS_OPTS=() # the plain broker records the archive; the secure one only uses it
  else
    rm -f "$KDIR"/cds/*.jsa
    CDS_OPTS=(-XX:ArchiveClassesAtExit="$jsa" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
}

format_storage() {
  if [[ -f "$DATA/meta.properties" ]]; then
    return 0
  fi
  local cid
  cid="$(java_cmd kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
  [[ -n "$cid" ]] || die "could not generate a cluster id with kafka.tools.StorageTool"
  log "formatting storage in ${DATA#"$ROOT"/} (cluster id $cid)"
  local scram=()
  if ((SECURE)); then
    local user
    for user in admin "${SERVICE_USERS[@]}"; do
      scram+=(--add-scram "SCRAM-SHA-512=[name=${user},password=$(cat "$CRED_DIR/$user.password")]")
    done
  fi
  if ! java_cmd kafka.tools.StorageTool format -t "$cid" -c "$PROPS" "${scram[@]+"${scram[@]}"}" >"$RDIR/format.log" 2>&1; then
    cat "$RDIR/format.log" >&2
    die "storage format failed"
  fi
}

wait_ready() {
  local pid="$1" node
  node="$(node_bin)"
  # cheap TCP wait first, in bash, so node/kafkajs only starts once the port is open
  local deadline=$((SECONDS + KAFKA_READY_TIMEOUT))
  while ! port_open "$KAFKA_PORT"; do
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker process $pid exited during startup; last lines of $LOGFILE:" >&2
      tail -n 40 "$LOGFILE" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "kafka.sh: port $KAFKA_PORT not open after ${KAFKA_READY_TIMEOUT}s; last lines of $LOGFILE:" >&2
      tail -n 40 "$LOGFILE" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
  local left=$((deadline - SECONDS))
  ((left < 5)) && left=5
  local rc=0
  if ((SECURE)); then
    secure_setup "$pid" "$deadline"
    return 0
  fi
  WAIT_FOR_KAFKA_PID="$pid" "$node" --disable-warning=TimeoutNegativeWarning "$ROOT/scripts/wait-for-kafka.mjs" "$LOCAL_BROKERS" "$left" || rc=$?
  if ((rc != 0)); then
    echo "kafka.sh: broker not ready; last lines of $LOGFILE:" >&2
    tail -n 40 "$LOGFILE" >&2 || true
    exit 1
  fi
}

# Admin client settings for the secure broker, as the services and tools read them.
admin_env() {
  env KAFKA_BROKERS="$LOCAL_BROKERS" KAFKA_TLS_CA_FILE="$TLS_DIR/ca.crt" KAFKA_SASL_USERNAME=admin \
    KAFKA_SASL_PASSWORD_FILE="$CRED_DIR/admin.password" "$@"
}

# Until the broker answers the admin: create the catalogue's topics and apply the generated ACLs.
secure_setup() {
  local pid="$1" deadline="$2" node tool="$ROOT/dist/tools/kafka-acls.js"
  node="$(node_bin)"
  if [[ ! -f "$tool" || "$ROOT/libs/contracts/src/access.ts" -nt "$tool" || "$ROOT/tools/kafka-acls.ts" -nt "$tool" ]]; then
    log "building (dist/tools/kafka-acls.js is missing or older than its sources)"
    (cd "$ROOT" && npm run build --silent) || die "npm run build failed"
  fi
  local out
  while true; do
    if out="$(admin_env "$node" --disable-warning=TimeoutNegativeWarning "$tool" --apply --create-topics "${KAFKA_PARTITIONS:-6}" 2>&1)"; then
      log "$(tr '\n' ' ' <<<"$out")"
      return 0
    fi
    if [[ -n "$pid" ]] && ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka.sh: broker process $pid exited during startup; last lines of $LOGFILE:" >&2
      tail -n 40 "$LOGFILE" >&2 || true
      rm -f "$PIDFILE"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      echo "kafka.sh: secure broker not ready: $out; last lines of $LOGFILE:" >&2
      tail -n 40 "$LOGFILE" >&2 || true
      exit 1
    fi
    sleep 1
  done
}

secure_summary() {
  ((SECURE)) || return 0
  log "secure: CA ${TLS_DIR#"$ROOT"/}/ca.crt, users admin + ${SERVICE_USERS[*]}, passwords in ${CRED_DIR#"$ROOT"/}/<user>.password"
  log "a service connects with KAFKA_BROKERS=${LOCAL_BROKERS} KAFKA_TLS_CA_FILE=${TLS_DIR}/ca.crt KAFKA_SASL_USERNAME=<service> KAFKA_SASL_PASSWORD_FILE=${CRED_DIR}/<service>.password"
}

cmd_up() {
  if ((!SECURE)) && [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "KAFKA_BROKERS=${KAFKA_BROKERS} is set: using that existing cluster, not starting a local broker"
    return 0
  fi
  local t0=$SECONDS
  if pid_alive; then
    local running_port
    running_port="$(cat "$PORTFILE" 2>/dev/null || echo "$KAFKA_PORT")"
    if [[ "$running_port" != "$KAFKA_PORT" ]]; then
      die "a broker started by this script is already running on port $running_port (pid $(cat "$PIDFILE")), not $KAFKA_PORT; run 'bash scripts/kafka.sh down' first"
    fi
    log "broker already running (pid $(cat "$PIDFILE"))"
    wait_ready "$(cat "$PIDFILE")"
    log "KAFKA_BROKERS=${LOCAL_BROKERS}"
    secure_summary
    return 0
  fi
  rm -f "$PIDFILE"
  require_java
  if port_open "$KAFKA_PORT"; then
    die "port $KAFKA_PORT is already in use by another process (not started by this script). Stop it, or set KAFKA_PORT, or set KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT to use it"
  fi
  if port_open "$KAFKA_CONTROLLER_PORT"; then
    die "controller port $KAFKA_CONTROLLER_PORT is already in use; set KAFKA_CONTROLLER_PORT to a free port"
  fi
  fetch_jars
  if ((SECURE)); then generate_secrets; fi
  write_config
  format_storage
  [[ -f "$LOGFILE" ]] && mv -f "$LOGFILE" "$LOGFILE.1"
  setup_cds
  build_java_args
  log "starting Kafka ${KAFKA_VERSION} (KRaft broker+controller$( ((SECURE)) && echo ', SASL_SSL/SCRAM-SHA-512, ACLs')) on ${LOCAL_BROKERS}, log: ${LOGFILE#"$ROOT"/}"
  # setsid + nohup: the broker outlives this shell, the npm script and the terminal.
  # In a non-interactive shell the background subshell is not a process-group leader,
  # so setsid and nohup both exec in place and $! is the JVM's own pid.
  (
    cd "$RDIR"
    exec setsid nohup "${JAVA_ARGS[@]}" kafka.Kafka "$PROPS" >"$LOGFILE" 2>&1 </dev/null
  ) &
  local pid=$!
  echo "$pid" >"$PIDFILE"
  echo "$KAFKA_PORT" >"$PORTFILE"
  wait_ready "$pid"
  log "ready in $((SECONDS - t0))s (pid $pid)"
  log "KAFKA_BROKERS=${LOCAL_BROKERS}"
  secure_summary
}

cmd_down() {
  local clean="${1:-}"
  if pid_alive; then
    local pid
    pid="$(cat "$PIDFILE")"
    log "stopping broker (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    local i
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "broker did not stop within 30s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
    fi
    log "stopped"
  else
    log "no broker running"
  fi
  rm -f "$PIDFILE" "$PORTFILE"
  if [[ "$clean" == "--clean" ]]; then
    rm -rf "$DATA"
    if ((SECURE)); then rm -rf "$TLS_DIR" "$CRED_DIR"; fi
    log "wiped ${DATA#"$ROOT"/}$( ((SECURE)) && echo ', certificates and credentials')"
  fi
}

cmd_status() {
  if [[ -n "${KAFKA_BROKERS:-}" ]]; then
    log "KAFKA_BROKERS=${KAFKA_BROKERS} is set (external cluster)"
  fi
  if pid_alive; then
    local brokers="127.0.0.1:$(cat "$PORTFILE" 2>/dev/null || echo "$KAFKA_PORT")"
    log "local broker running: pid $(cat "$PIDFILE"), $(cat "$LIB/.kafka-version" 2>/dev/null || echo '?'), KAFKA_BROKERS=${brokers}"
    if ((SECURE)); then
      port_open "${brokers##*:}" && return 0
      return 1
    fi
    if "$(node_bin)" --disable-warning=TimeoutNegativeWarning "$ROOT/scripts/wait-for-kafka.mjs" "$brokers" 5; then
      return 0
    fi
    return 1
  fi
  log "local broker not running"
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down "${2:-}" ;;
  clean) cmd_down --clean ;;
  status) cmd_status ;;
  *)
    echo "usage: bash scripts/kafka.sh up|down [--clean]|clean|status [--secure]" >&2
    exit 2
    ;;
esac
