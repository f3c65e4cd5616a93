#!/usr/bin/env bash
# How quiet the default policy keeps a host: runs the agent with no policy section (the shipped
# default) for SECONDS, exporting to an OTLP/JSON file, then prints the records per EventName and
# per minute as a Markdown table. Run it on the host as it usually is (idle, or its normal load):
# whatever runs meanwhile is what gets counted. Needs root.
#   bench/quiet-host.sh [SECONDS, default 120]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the agent loads eBPF programs: run this as root"
SECONDS_TO_RUN=${1:-120}
WORK=$(mktemp -d /tmp/okr-quiet.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
install_build_deps
find_java
(cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl otel-kernel-receiver -am package -DskipTests >&2)
JAR="$ROOT/otel-kernel-receiver/target/otel-kernel-receiver.jar"
PORT=$((24000 + RANDOM % 1000))
cat > "$WORK/agent.yaml" <<YAML
receivers: {ebpf: {}}
exporters: {file: {path: $WORK/events.jsonl}}
extensions: {health_check: {endpoint: "127.0.0.1:$PORT"}}
service: {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
YAML
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$JAR" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" &
pid=$!
until curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1; do kill -0 $pid || die "the agent did not start: $(tail -3 "$WORK/agent.err")"; sleep 0.2; done
sleep "$SECONDS_TO_RUN"
kill -TERM $pid; wait $pid || true
echo "agent: $(grep -o 'stopped: .*' "$WORK/agent.err" | cut -c1-200)" >&2
echo "| EventName | records | per minute |"
echo "|---|---|---|"
grep -o '"eventName":"[^"]*"' "$WORK/events.jsonl" | sed 's/"eventName":"//; s/"$//' | sort | uniq -c | sort -rn \
  | awk -v s="$SECONDS_TO_RUN" '{total += $1; printf "| `%s` | %d | %.1f |\n", $2, $1, $1 * 60 / s} END {printf "| all | %d | %.1f |\n", total, total * 60 / s}'
