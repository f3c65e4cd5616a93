#!/usr/bin/env bash
# Start and stop times of the agent through its launcher, the jar already built: start is the
# launcher's exec to the health endpoint answering 200, stop is SIGTERM to the process gone (every
# probe detached, exporters flushed). Default policy, a file exporter. Needs root.
#   bench/start-stop.sh [ROUNDS, default 5]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the agent loads eBPF programs: run it as root"
ROUNDS=${1:-5}
WORK=$(mktemp -d /tmp/okr-bench.XXXXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT
PORT=23996
cat > "$WORK/agent.yaml" <<YAML
receivers: {ebpf: {}}
exporters: {file: {path: $WORK/events.jsonl}}
extensions: {health_check: {endpoint: "127.0.0.1:$PORT"}}
service: {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
YAML
"$ROOT/bin/otel-kernel-receiver" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" & pid=$!   # builds once if needed
until curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1; do sleep 0.2; done
kill -TERM $pid; wait $pid || true
starts="" stops=""
for round in $(seq "$ROUNDS"); do
  t0=$(date +%s%N)
  "$ROOT/bin/otel-kernel-receiver" --config "$WORK/agent.yaml" 2>"$WORK/agent.err" & pid=$!
  until curl -sf "http://127.0.0.1:$PORT/" >/dev/null 2>&1; do sleep 0.05; done
  t1=$(date +%s%N)
  sleep 1
  t2=$(date +%s%N)
  kill -TERM $pid; wait $pid || true
  t3=$(date +%s%N)
  start=$(awk -v a=$t0 -v b=$t1 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  stop=$(awk -v a=$t2 -v b=$t3 'BEGIN {printf "%.2f", (b - a) / 1e9}')
  echo "round $round: start ${start} s, stop ${stop} s" >&2
  starts="$starts $start" stops="$stops $stop"
done
median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "| agent (median of $ROUNDS) | seconds |"
echo "|---|---|"
echo "| start (launcher to health 200) | $(echo "$starts" | median) |"
echo "| stop (SIGTERM to exit) | $(echo "$stops" | median) |"
