#!/usr/bin/env bash
# Kafka's own command-line tools (kafka-topics.sh, kafka-configs.sh) from Maven Central, for the test
# that runs the Helm chart's topic Job script against the local broker. No tarball, no Docker.
#
#   bash scripts/kafka-cli.sh install   fetch the jars once into .tools/kafka-cli (git-ignored), write the wrappers
#   bash scripts/kafka-cli.sh bin       print the directory holding kafka-topics.sh and kafka-configs.sh
#
# Environment: KAFKA_VERSION (default 4.4.0, as scripts/kafka.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
DIR="$ROOT/.tools/kafka-cli/$KAFKA_VERSION"

wrapper() {
  cat >"$DIR/bin/$1" <<WRAPPER
#!/bin/sh
exec java -Xmx256m -cp "$DIR/lib/*" $2 "\$@"
WRAPPER
  chmod +x "$DIR/bin/$1"
}

install() {
  if [[ -x "$DIR/bin/kafka-topics.sh" && -x "$DIR/bin/kafka-configs.sh" ]]; then return 0; fi
  command -v java >/dev/null 2>&1 || { echo "kafka-cli.sh: java not found (apt-get install -y openjdk-17-jre-headless maven)" >&2; exit 1; }
  command -v mvn >/dev/null 2>&1 || { echo "kafka-cli.sh: mvn not found (apt-get install -y maven)" >&2; exit 1; }
  mkdir -p "$DIR/bin"
  cat >"$DIR/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ballast</groupId><artifactId>kafka-cli</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$KAFKA_VERSION</version></dependency>
  </dependencies>
</project>
POM
  echo "kafka-cli.sh: fetching kafka-tools $KAFKA_VERSION and its dependencies from Maven Central" >&2
  mvn -q -B -f "$DIR/pom.xml" dependency:copy-dependencies -DoutputDirectory="$DIR/lib" >&2
  wrapper kafka-topics.sh org.apache.kafka.tools.TopicCommand
  wrapper kafka-configs.sh org.apache.kafka.tools.ConfigCommand
}

case "${1:-}" in
  install) install ;;
  bin) install; echo "$DIR/bin" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 64 ;;
esac
