#!/usr/bin/env bash
# The benchmark suite: every workload under every configuration, alternated, as ratios to
# "nothing attached"; then zero-loss, sustained-rate, latency and idle runs; then the JMH
# benchmarks of the per-event path. Writes docs/benchmarks/suite.md, docs/benchmarks/rates.svg
# and docs/benchmarks/jmh.txt. Needs root. Takes about 25 minutes (--quick: about 6).
#   bench/suite.sh [--quick] [suite.py options, e.g. --rounds 5]
set -euo pipefail
source "$(dirname "$(readlink -f "$0")")/../bin/lib.sh"
[ "$(id -u)" -eq 0 ] || die "the benchmarks load eBPF programs and set audit rules: run them as root"
QUICK=()
JMH=(-f 1 -wi 3 -w 2s -i 5 -r 2s)
if [ "${1:-}" = "--quick" ]; then
  shift
  QUICK=(--rounds 1 --opens 100000 --execs 1000 --connects 10000 --sustain-secs 15 --latency-secs 10 --idle-secs 10 --idle-settle-secs 20)
  JMH=(-f 1 -wi 1 -w 1s -i 2 -r 1s)
fi
REF_SRC=${REFERENCE_DIR:-$ROOT/../shared/reference/ebpf-c}
[ -d "$REF_SRC" ] || die "the reference tools are missing at $REF_SRC (set REFERENCE_DIR)"
WORK=$(mktemp -d /tmp/okr-bench.XXXXXX)
trap 'rm -rf "$WORK"; auditctl -D >/dev/null 2>&1 || true' EXIT

install_build_deps
find_java
need=()
command -v gcc >/dev/null || need+=(gcc)
[ -e /usr/include/gelf.h ] || need+=(libelf-dev zlib1g-dev)
command -v auditctl >/dev/null || need+=(auditd)
command -v curl >/dev/null || need+=(curl)
[ ${#need[@]} -eq 0 ] || apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
make -s -C "$REF_SRC" OUT="$WORK/ref" >&2 || die "cannot build the reference tools from $REF_SRC"
# the reference consumer attaches tracepoints, which need tracefs (the agent's launcher mounts it
# too; a fresh machine may not have it yet)
[ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] \
  || mount -t tracefs tracefs /sys/kernel/tracing || die "cannot mount tracefs at /sys/kernel/tracing"
mkdir -p "$WORK/tools"
gcc -O2 -o "$WORK/tools/connect-storm" "$ROOT/bench/c/connect-storm.c" -lpthread
gcc -O2 -o "$WORK/tools/open-rate" "$ROOT/bench/c/open-rate.c"
OTELCOL=$("$ROOT/collector/build.sh" | tail -n 1) || die "building the Collector failed (collector/build.sh)"
(cd "$ROOT" && MAVEN_OPTS="${MAVEN_OPTS:-} $MAVEN_JDK25_OPTS" mvn -B -q -ntp -pl otel-kernel-receiver,bench -am package -DskipTests >&2)

python3 "$ROOT/bench/suite.py" --ref "$WORK/ref" --tools "$WORK/tools" --collector "$OTELCOL" \
  "${QUICK[@]}" "$@"
echo "JMH: the per-event path (decode, enrich, map, encode), ns/op and bytes allocated per op" >&2
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$ROOT/bench/target/benchmarks.jar" "${JMH[@]}" \
  -prof gc -rf text -rff "$ROOT/docs/benchmarks/jmh.txt" >&2
echo "written: docs/benchmarks/suite.md, docs/benchmarks/rates.svg, docs/benchmarks/jmh.txt" >&2
