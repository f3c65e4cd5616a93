package io.github.otelkernel.receiver.probe;

import java.lang.foreign.ValueLayout;

/**
 * Keys and values of the BPF maps the agent writes and reads, in host byte order, mirroring
 * ebpf-probes/src/lib/policy.h, lib/common.h and probes/integrity.bpf.h. Offsets are in bytes from
 * the start of the key or value. WireLayoutTest holds every number here to the BTF of the compiled
 * object.
 */
public final class MapLayout {
  /** ringbuf_drops, stash_fails: per-CPU u64 counters by event type (BpfProbes.perCpuSums). */
  public static final ValueLayout.OfInt COUNTER_KEY = ValueLayout.JAVA_INT;

  public static final ValueLayout.OfLong COUNTER_VALUE = ValueLayout.JAVA_LONG;

  /**
   * fallback_syscalls: syscall number to enum fallback_kind, for numbers below FALLBACK_ENTRIES.
   */
  public static final ValueLayout.OfInt FALLBACK_KEY = ValueLayout.JAVA_INT;

  public static final ValueLayout.OfInt FALLBACK_VALUE = ValueLayout.JAVA_INT;
  public static final int FALLBACK_ENTRIES = 1024;

  /** policy_global: one struct policy_global, at key 0 (u32). */
  public static final int GLOBAL_KEY_SIZE = 4;

  public static final int GLOBAL_AGENT_PID = 0;
  public static final int GLOBAL_FLAGS = 4;
  public static final int GLOBAL_PRCTL_OPTIONS = 8;
  public static final int GLOBAL_CAP_MASK = 16;
  public static final int GLOBAL_AGENT_PGID = 24;
  public static final int GLOBAL_SIZE = 32;

  /** policy_types: event type (u32) to TYPE_* bits (u32). */
  public static final int TYPES_KEY_SIZE = 4;

  public static final int TYPES_VALUE_SIZE = 4;

  /**
   * uid_rules (uid, u32), cgroup_rules (cgroup id, u64), exe_rules (struct exe_key): RULE_* bits
   * (u32).
   */
  public static final int UID_KEY_SIZE = 4;

  public static final int CGROUP_KEY_SIZE = 8;
  public static final int RULE_VALUE_SIZE = 4;

  /** struct exe_key */
  public static final int EXE_KEY_DEV = 0;

  public static final int EXE_KEY_INO = 8;
  public static final int EXE_KEY_SIZE = 16;

  /** struct path_key: the LPM trie key of path_rules, a bit length then the bytes. */
  public static final int PATH_KEY_PREFIXLEN = 0;

  public static final int PATH_KEY_DATA = 4;

  /**
   * Bytes of a path the kernel's prefix rules see (path_key.data), and so the longest prefix a rule
   * may name. Not NUL-terminated: a rule of exactly this many bytes matches.
   */
  public static final int PATH_PREFIX_MAX = 256;

  public static final int PATH_KEY_SIZE = 260;

  /** struct path_rule */
  public static final int PATH_RULE_MENTIONED = 0;

  public static final int PATH_RULE_INCLUDED = 8;
  public static final int PATH_RULE_SIZE = 16;

  /**
   * env_names: struct env_key, a variable's name zero-padded to this many bytes (so at most this
   * long), to a mark. ebpf-probes/src/lib/environ.h.
   */
  public static final int ENV_KEY_SIZE = 32;

  /** env_names' capacity: the most names policy.env_vars may list. */
  public static final int ENV_NAMES_MAX = 64;

  /** udp_ports: destination port (u16) to a mark. */
  public static final int PORT_KEY_SIZE = 2;

  /** agent_threads: thread id (u32) to a mark. */
  public static final int THREAD_KEY_SIZE = 4;

  /** struct agent_object_key: agent_objects, to a mark. */
  public static final int OBJECT_KEY_KIND = 0;

  public static final int OBJECT_KEY_ID = 4;
  public static final int OBJECT_KEY_SIZE = 8;

  /** The value of the set-like maps (udp_ports, agent_threads, agent_objects): a u8, 1. */
  public static final int MARK_SIZE = 1;

  private MapLayout() {}
}
