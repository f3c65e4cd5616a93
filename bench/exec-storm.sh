#!/usr/bin/env bash
# Exec storm against the yardsticks in ../shared/reference, in one run, alternated:
#   nothing attached | reference C consumer | the agent (every event to an OTLP/JSON file) |
#   the agent without the environment scan (policy env_vars: []) | auditd -S execve
# The storm's execs carry a login shell's environment (40 variables, about 2.5 KB, none of them
# listed), so that "agent" against "agent-no-env" is the cost of scanning it.
# Prints a Markdown table of median rates and ratios to "nothing attached", and checks that the
# agent delivered every exec of the storm. Needs root. Not part of the test suite.
#   bench/exec-storm.sh [EXECS per run, default 5000] [ROUNDS, default 3]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the benchmark loads eBPF programs: run it as root"
N=${1:-5000}
ROUNDS=${2:-3}
REF_SRC=${REFERENCE_DIR:-$ROOT/../shared/reference/ebpf-c}
WORK=$(mktemp -d /tmp/okr-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; auditctl -D >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

install_build_deps
find_java
command -v gcc >/dev/null && [ -e /usr/include/gelf.h ] || apt-get install -y -qq gcc libelf-dev zlib1g-dev >&2
make -s -C "$REF_SRC" OUT="$WORK/ref" >&2 || die "cannot build the reference tools from $REF_SRC"
(cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl otel-kernel-receiver -am package -DskipTests >&2)
JAR="$ROOT/otel-kernel-receiver/target/otel-kernel-receiver.jar"
HAVE_AUDIT=0
command -v auditctl >/dev/null && HAVE_AUDIT=1

source "$ROOT/bench/login-env.sh"
storm() { "$WORK/ref/exec-storm" "$N" | sed -n 's/.*rate=\([0-9]*\).*/\1/p'; }

run_nothing() { storm; }

run_reference() {
  "$WORK/ref/reference-consumer" 600 > "$WORK/refout" 2>"$WORK/referr" & local pid=$!
  until grep -q attached "$WORK/referr" 2>/dev/null; do sleep 0.1; done
  storm
  kill -INT $pid; wait $pid || true
}

run_agent() {
  local receiver=${1:-"{}"}
  cat > "$WORK/agent.yaml" <<YAML
receivers: {ebpf: $receiver}
exporters: {file: {path: $WORK/events.jsonl}}
extensions: {health_check: {endpoint: "127.0.0.1:23999"}}
service: {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
YAML
  rm -f "$WORK/events.jsonl"
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$JAR" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" & local pid=$!
  until curl -sf http://127.0.0.1:23999/ >/dev/null 2>&1; do sleep 0.2; done
  # an agent runs for days: warm its JIT with one unmeasured storm first, as a real host would have
  "$WORK/ref/exec-storm" "$N" >/dev/null
  storm
  kill -TERM $pid; wait $pid || true
  local delivered
  delivered=$(grep -o '"stringValue":"--kt-bench"' "$WORK/events.jsonl" | wc -l)
  echo "agent delivered $delivered of $((2 * N)) storm execs (warm-up and measured); $(grep -o 'kernel_lost=[0-9]*' "$WORK/agent.err")" >&2
}

run_agent-no-env() { run_agent "{policy: {env_vars: []}}"; }

run_auditd() {
  service auditd start >/dev/null 2>&1 || auditd >/dev/null 2>&1 || true
  auditctl -a always,exit -F arch=b64 -S execve >/dev/null
  storm
  auditctl -D >/dev/null
}

configs=(nothing reference agent agent-no-env)
[ $HAVE_AUDIT -eq 1 ] && configs+=(auditd)
declare -A rates
for round in $(seq "$ROUNDS"); do
  for c in "${configs[@]}"; do
    r=$("run_$c")
    echo "round $round: $c $r execs/s" >&2
    rates[$c]="${rates[$c]:-} $r"
  done
done

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
base=$(echo "${rates[nothing]}" | median)
echo "| configuration (exec-storm $N, median of $ROUNDS) | execs/s | vs. nothing attached |"
echo "|---|---|---|"
for c in "${configs[@]}"; do
  m=$(echo "${rates[$c]}" | median)
  echo "| $c | $m | $(awk -v a="$m" -v b="$base" 'BEGIN {printf "%.2f", a / b}') |"
done
