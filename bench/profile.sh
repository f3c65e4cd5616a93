#!/usr/bin/env bash
# Where the agent's time goes when it exports every event: the agent (as the launcher runs it, plus
# a JFR recording) exporting to the benchmark Collector while opens arrive at RATE/s for SECONDS,
# then the hottest methods by JFR execution samples, per thread and overall, and the BPF programs'
# run time per call from the kernel's bpf_stats. Writes docs/benchmarks/profile.txt. Needs root.
#   bench/profile.sh [RATE, default 20000] [SECONDS, default 10]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the agent loads eBPF programs: run this as root"
RATE=${1:-20000}
SECS=${2:-10}
WORK=$(mktemp -d /tmp/okr-profile.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; sysctl -qw kernel.bpf_stats_enabled=0 || true; rm -rf "$WORK"' EXIT
install_build_deps
find_java
command -v gcc >/dev/null || apt-get install -y -qq gcc >&2
gcc -O2 -o "$WORK/open-rate" "$ROOT/bench/c/open-rate.c"
OTELCOL=$("$ROOT/collector/build.sh" | tail -n 1)
(cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl otel-kernel-receiver -am package -DskipTests >&2)
OTLP_GRPC_PORT=24917 HEALTH_PORT=24918 "$OTELCOL" --config "$ROOT/bench/collector-count.yaml" >"$WORK/collector.log" 2>&1 &
until curl -sf http://127.0.0.1:24918/ >/dev/null 2>&1; do sleep 0.2; done
cat > "$WORK/agent.yaml" <<YAML
receivers:
  ebpf:
    policy: {events: {file.read: {include: ["/"], aggregate: 0s}}}
processors: {batch: {}}
exporters: {otlp: {endpoint: "127.0.0.1:24917", tls: {insecure: true}}}
extensions: {health_check: {endpoint: "127.0.0.1:24919"}}
service: {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], processors: [batch], exporters: [otlp]}}}
YAML
OKR_JAVA_OPTS="-Xms32m -Xmx128m -XX:+UseSerialGC -XX:MaxDirectMemorySize=32m -XX:+ExitOnOutOfMemoryError" \
  "$ROOT/bin/otel-kernel-receiver" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" &
until curl -sf http://127.0.0.1:24919/ >/dev/null 2>&1; do sleep 0.2; done
PID=$(pgrep -f "otel-kernel-receiver.jar --config $WORK/agent.yaml" | head -1)
"$WORK/open-rate" "$RATE" "$SECS" /dev/null >/dev/null   # warm-up: the JIT settles
sysctl -qw kernel.bpf_stats_enabled=1
"$JAVA_HOME/bin/jcmd" "$PID" JFR.start name=p settings=profile filename="$WORK/agent.jfr" >/dev/null
CPU0=$(awk '{print $14 + $15}' "/proc/$PID/stat")
"$WORK/open-rate" "$RATE" "$SECS" /dev/null > "$WORK/rate.txt"
CPU1=$(awk '{print $14 + $15}' "/proc/$PID/stat")
"$JAVA_HOME/bin/jcmd" "$PID" JFR.stop name=p >/dev/null
BPF=$(bpftool -j prog show | python3 -c '
import json, sys
rows = sorted(((p.get("run_time_ns", 0), p.get("run_cnt", 0), p["name"]) for p in json.load(sys.stdin) if p.get("run_cnt", 0) > 1000), reverse=True)
for t, c, n in rows[:6]: print(f"  {n:28s} {c:>10d} runs {t // max(c, 1):>6d} ns/run")')
sysctl -qw kernel.bpf_stats_enabled=0
kill "$PID"; wait "$PID" || true
OUT="$ROOT/docs/benchmarks/profile.txt"
mkdir -p "$(dirname "$OUT")"
{
  echo "bench/profile.sh $RATE $SECS on $(date -u +%F) ($(nproc) CPUs, kernel $(uname -r))"
  echo "workload: $(cat "$WORK/rate.txt"); agent CPU during it: $(( (CPU1 - CPU0) )) ticks of 1/$(getconf CLK_TCK) s"
  echo "agent: $(grep -o 'stopped: .*' "$WORK/agent.err" | cut -c1-240)"
  echo
  echo "BPF programs (kernel bpf_stats, same window):"
  echo "$BPF"
  echo
  echo "JFR execution samples by thread:"
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 1 "$WORK/agent.jfr" \
    | grep -o 'sampledThread = "[^"]*"' | sort | uniq -c | sort -rn | head -10
  echo
  echo "JFR execution samples, top frames (all threads):"
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 1 "$WORK/agent.jfr" \
    | grep -A1 'stackTrace = \[' | grep -v 'stackTrace\|^--' | sed 's/line:.*//; s/^ *//' | sort | uniq -c | sort -rn | head -30
  echo
  echo "JFR execution samples, top frames 8 deep, grouped by the agent's or the SDK's method nearest the top:"
  "$JAVA_HOME/bin/jfr" print --events jdk.ExecutionSample --stack-depth 8 "$WORK/agent.jfr" | python3 -c '
import re, sys, collections
c = collections.Counter()
for block in sys.stdin.read().split("jdk.ExecutionSample")[1:]:
    frames = re.findall(r"^\s+([\w.$]+)\(", block, re.M)
    own = next((f for f in frames if f.startswith(("io.github.otelkernel", "io.opentelemetry", "io.grpc"))), frames[0] if frames else "?")
    c[own] += 1
for f, n in c.most_common(25): print(f"{n:6d}  {f}")'
} > "$OUT"
cat "$OUT"
