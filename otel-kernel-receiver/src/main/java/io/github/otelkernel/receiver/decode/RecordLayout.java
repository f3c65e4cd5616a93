package io.github.otelkernel.receiver.decode;

/**
 * Offsets of the ring-buffer records, mirroring {@code ebpf-probes/src/events.h}. Keep the two in
 * step and bump {@link #VERSION} with any change; WireLayoutTest holds every offset and size here
 * to the BTF of the compiled object (the flags and limits are not in it).
 */
final class RecordLayout {
  static final int VERSION = 4;

  static final int TYPE_EXEC = 1;
  static final int TYPE_FORK = 2;
  static final int TYPE_EXIT = 3;

  /** Size of the kernel's per-CPU drop counter array. */
  static final int TYPE_MAX = EventType.MAX;

  static final int FLAG_ARGS_TRUNCATED = 1;
  static final int FLAG_ARGS_FAULT = 1 << 1;
  static final int FLAG_EXE_TRUNCATED = 1 << 2;
  static final int FLAG_CWD_TRUNCATED = 1 << 3;
  static final int FLAG_NO_EXE = 1 << 4;
  static final int FLAG_CGROUP_TRUNCATED = 1 << 5;
  static final int FLAG_EXE_MEMFD = 1 << 6;
  static final int FLAG_EXE_UNLINKED = 1 << 7;
  static final int FLAG_ENV_INCOMPLETE = 1 << 19;
  static final int FLAG_ENV_TRUNCATED = 1 << 20;

  // struct event_header
  static final int H_TYPE = 0;
  static final int H_VERSION = 2;
  static final int H_FLAGS = 4;
  static final int H_BOOT_NS = 8;
  static final int H_PID = 16;
  static final int H_TID = 20;
  static final int H_PPID = 24;
  static final int H_UID = 28;
  static final int H_GID = 32;
  static final int H_EUID = 36;
  static final int H_EGID = 40;
  static final int H_LOGINUID = 44;
  static final int H_START_BOOT_NS = 48;
  static final int H_CGROUP_ID = 56;
  static final int H_COMM = 64;
  static final int COMM_LEN = 16;
  static final int H_SID = 80;
  static final int H_PGID = 84;
  static final int H_VPID = 88;
  static final int H_PID_NS = 92;
  static final int H_MNT_NS = 96;
  static final int H_TTY = 104;
  static final int TTY_LEN = 24;
  static final int HEADER_SIZE = 128;

  // struct exec_event
  static final int X_EXE_LEN = 128;
  static final int X_CWD_LEN = 130;
  static final int X_ARGS_LEN = 132;
  static final int X_ARGS_TOTAL = 136;
  static final int X_CGROUP_LEN = 140;
  static final int X_ENV_LEN = 142;
  static final int X_EXE_DEV = 144;
  static final int X_EXE_INO = 152;
  static final int X_EXE_SIZE = 160;
  static final int X_EXE_MTIME_NS = 168;
  static final int EXEC_SIZE = 176;

  // struct fork_event
  static final int F_PARENT_TID = 128;
  static final int FORK_SIZE = 136;

  // struct exit_event
  static final int E_EXIT_CODE = 128;
  static final int EXIT_SIZE = 136;

  // struct sys_event
  static final int S_RET = 128;
  static final int S_ARGS = 136;
  static final int S_NR = 184;
  static final int S_STR_LEN = 188;
  static final int SYS_ARGS = 6;
  static final int SYS_STRINGS = 3;
  static final int SYS_SIZE = 200;

  /** Documented limits of the probes (events.h). */
  static final int ARGS_MAX = 8192;

  private RecordLayout() {}
}
