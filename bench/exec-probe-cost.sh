#!/usr/bin/env bash
# Kernel time of the exec probe (handle_exec) per call, from the kernel's own BPF statistics
# (kernel.bpf_stats_enabled), with the environment scan on (the default env_vars) and off
# (env_vars: []), alternated. Unlike a storm's rate, this is the probe's own cost and barely moves
# with the machine's noise. The storm's execs carry a login shell's environment (about 40
# variables, none listed). Needs root. Not part of the test suite.
#   bench/exec-probe-cost.sh [EXECS per run, default 5000] [ROUNDS, default 3]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the benchmark loads eBPF programs: run it as root"
N=${1:-5000}
ROUNDS=${2:-3}
REF_SRC=${REFERENCE_DIR:-$ROOT/../shared/reference/ebpf-c}
WORK=$(mktemp -d /tmp/okr-bench.XXXXXX)
STATS_BEFORE=$(sysctl -n kernel.bpf_stats_enabled)
trap 'kill $(jobs -p) 2>/dev/null || true; sysctl -qw kernel.bpf_stats_enabled=$STATS_BEFORE; rm -rf "$WORK"' EXIT

install_build_deps
find_java
make -s -C "$REF_SRC" OUT="$WORK/ref" >&2 || die "cannot build the reference tools from $REF_SRC"
(cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl otel-kernel-receiver -am package -DskipTests >&2)
JAR="$ROOT/otel-kernel-receiver/target/otel-kernel-receiver.jar"

source "$ROOT/bench/login-env.sh"

# prints "<ns per call> <calls>" of handle_exec over one storm
probe_cost() {
  local receiver=$1
  cat > "$WORK/agent.yaml" <<YAML
receivers: {ebpf: $receiver}
exporters: {file: {path: $WORK/events.jsonl}}
extensions: {health_check: {endpoint: "127.0.0.1:23998"}}
service: {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
YAML
  "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$JAR" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" & local pid=$!
  until curl -sf http://127.0.0.1:23998/ >/dev/null 2>&1; do sleep 0.2; done
  local id
  id=$(bpftool -j prog show | python3 -c 'import json,sys; print(next(p["id"] for p in json.load(sys.stdin) if p.get("name") == "handle_exec"))')
  read -r t0 c0 < <(bpftool -j prog show id "$id" | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("run_time_ns",0), p.get("run_cnt",0))')
  "$WORK/ref/exec-storm" "$N" >/dev/null
  read -r t1 c1 < <(bpftool -j prog show id "$id" | python3 -c 'import json,sys; p=json.load(sys.stdin); print(p.get("run_time_ns",0), p.get("run_cnt",0))')
  kill -TERM $pid; wait $pid || true
  echo "$(( (t1 - t0) / (c1 - c0) )) $((c1 - c0))"
}

sysctl -qw kernel.bpf_stats_enabled=1
declare -A cost
for round in $(seq "$ROUNDS"); do
  for c in env-scan no-env; do
    if [ $c = env-scan ]; then r=$(probe_cost "{}"); else r=$(probe_cost "{policy: {env_vars: []}}"); fi
    echo "round $round: $c $r (ns per call, calls)" >&2
    cost[$c]="${cost[$c]:-} ${r%% *}"
  done
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| handle_exec (exec-storm $N, median of $ROUNDS) | ns per call |"
echo "|---|---|"
for c in env-scan no-env; do echo "| $c | $(echo "${cost[$c]}" | median) |"; done
