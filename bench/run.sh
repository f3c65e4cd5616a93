#!/usr/bin/env bash
# Runs the JMH benchmarks of the agent's per-event path and prints the table for docs/benchmarks.md.
#   bench/run.sh [JMH options]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
install_build_deps
find_java
cd "$ROOT"
MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl bench -am package -DskipTests >&2
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar bench/target/benchmarks.jar "$@"
