# Starts the agent's JVM with only the capabilities the agent uses. Sourced by
# bin/otel-kernel-receiver (from a checkout) and installed by the .deb as
# /usr/lib/otel-kernel-receiver/run-agent.sh for its /usr/bin launcher: one copy of the policy.
# shellcheck shell=bash

# run_agent JAVA JAR JVM_OPTIONS_FILE [agent arguments…]: execs; never returns.
run_agent() {
  local java=$1 jar=$2 options_file=$3
  shift 3
  # The JVM's options (heap, collector, buffers) are in the options file; OKR_JAVA_OPTS replaces them.
  local opts
  opts=$(grep -v '^#' "$options_file" | tr '\n' ' ')
  # glibc gives each thread that mallocs its own arena; two bound the native heap (gRPC, libbpf).
  export MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  # Least privilege (docs/security.md): as root, the JVM starts with only the capabilities the
  # agent uses, never gains more (no_new_privs: no setuid exec), and passes none on. Capabilities
  # belong to each thread, and a JVM's own threads exist before any of our code runs: dropping
  # them from Java after attaching would leave the JVM's threads with all of them, so they are
  # never given.
  #   bpf, perfmon       load and attach the probes, read and update their maps (policy reload)
  #   sys_ptrace         /proc/PID/exe and the like of processes of other users or with more capabilities
  #   dac_read_search    read (hash) executables and /proc files whatever their modes
  local priv=()
  if [ "$(id -u)" -eq 0 ] && [ -z "${OKR_KEEP_ALL_CAPABILITIES:-}" ]; then
    # tracepoints need tracefs; mounting it needs CAP_SYS_ADMIN, which the agent does not keep
    [ -d /sys/kernel/tracing/events ] || [ -d /sys/kernel/debug/tracing/events ] \
      || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null || true
    # Under a service manager that already bounds the capabilities to these (the packaged
    # systemd unit), there is nothing left to drop, and no CAP_SETPCAP to drop it with.
    local bounding keep=$(((1 << 2) | (1 << 19) | (1 << 38) | (1 << 39)))
    bounding=$(sed -n 's/^CapBnd:[[:space:]]*//p' /proc/self/status)
    if [ $((0x${bounding:-ffffffffffffffff} & ~keep)) -ne 0 ]; then
      # shellcheck disable=SC2054 # setpriv takes comma-separated lists
      priv=(setpriv --no-new-privs --inh-caps=-all --ambient-caps=-all
        --bounding-set=-all,+bpf,+perfmon,+sys_ptrace,+dac_read_search --)
    fi
  fi
  # shellcheck disable=SC2086 # word splitting of the options is intended
  exec "${priv[@]}" "$java" ${OKR_JAVA_OPTS:-$opts} --enable-native-access=ALL-UNNAMED -jar "$jar" "$@"
}
