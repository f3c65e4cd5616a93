package io.github.otelkernel.receiver.decode;

import java.util.List;

/** A decoded kernel record. One per ring-buffer record, one log record each. */
public sealed interface KernelEvent {
  ProcessInfo process();

  /** A program image replaced the process's (execve/execveat). */
  record ProcessExec(
      ProcessInfo process,
      /* the image is a memfd or an already-unlinked file: fileless execution */
      boolean fileless,
      RawBytes executablePath,
      boolean executablePathTruncated,
      RawBytes workingDirectory,
      boolean workingDirectoryTruncated,
      RawBytes cgroupPath,
      ExecutableIdentity executable,
      List<RawBytes> args,
      boolean argsTruncated,
      boolean argsUnreadable,
      long argsTotalBytes,
      /* NAME=VALUE of each variable the policy lists (policy.env_vars), in the environment's order */
      List<RawBytes> environment,
      /* a listed variable was cut, or the listed ones did not all fit */
      boolean environmentTruncated,
      /* part of the environment could not be read: a listed variable may be missing */
      boolean environmentIncomplete)
      implements KernelEvent {}

  /**
   * The executed file's content version: device (user-space st_dev encoding), inode, size and
   * modification time. Two execs of the same version share it; a rewritten file gets a new one.
   */
  record ExecutableIdentity(long device, long inode, long size, long mtimeNanos) {
    public boolean known() {
      return inode != 0;
    }
  }

  /** A new process (not a thread) was created; {@code process} describes the child. */
  record ProcessFork(ProcessInfo process, int parentTid) implements KernelEvent {}

  /**
   * A system call and its outcome ({@code struct sys_event}): what {@code args} and the strings
   * hold depends on the type, as the event catalog names it; {@link #payload()} gives them typed.
   *
   * @param ret the return value, {@code -errno} on failure
   * @param syscall the syscall number on this architecture
   * @param strings up to three strings, {@link RawBytes#EMPTY} when absent
   * @param flags {@code FLAG_*} of events.h (truncation, unresolved paths)
   */
  record SysCall(
      ProcessInfo process,
      EventType type,
      long ret,
      long[] args,
      int syscall,
      List<RawBytes> strings,
      int flags)
      implements KernelEvent {
    public static final int FLAG_STR0_TRUNCATED = 1 << 8;
    public static final int FLAG_STR1_TRUNCATED = 1 << 9;
    public static final int FLAG_STR2_TRUNCATED = 1 << 10;
    public static final int FLAG_STR0_RELATIVE = 1 << 11;
    public static final int FLAG_STR1_RELATIVE = 1 << 12;
    public static final int FLAG_TARGET_IS_AGENT = 1 << 13;

    /** Path 0 (or 1, shifted) lost its leading directories: only its tail is known. */
    public static final int FLAG_STR0_PARTIAL = 1 << 14;

    /**
     * An argument read from the caller's memory differed between entry and exit (an argument race).
     */
    public static final int FLAG_ARGS_CHANGED = 1 << 16;

    /** An argument read from the caller's memory was writable by another task during the call. */
    public static final int FLAG_ARGS_UNVERIFIED = 1 << 17;

    /** Sent without its outcome (an io_uring operation whose completion was not waited for). */
    public static final int FLAG_NO_OUTCOME = 1 << 18;

    public boolean failed() {
      return ret < 0 && ret >= -4095 && !outcomeUnknown();
    }

    /** The record left before the operation ended: neither success nor failure is known. */
    public boolean outcomeUnknown() {
      return (flags & FLAG_NO_OUTCOME) != 0;
    }

    public int errno() {
      return failed() ? (int) -ret : 0;
    }

    /**
     * args[i]: read through {@link #payload()}, which names the slots (package-private on purpose).
     */
    long arg(int i) {
      return args[i];
    }

    /**
     * String slot i with its flags (only slots 0 and 1 carry paths that can be relative or
     * partial).
     */
    SysString str(int i) {
      return new SysString(
          strings.get(i),
          flag(FLAG_STR0_TRUNCATED << i),
          i < 2 && flag(FLAG_STR0_RELATIVE << i),
          i < 2 && flag(FLAG_STR0_PARTIAL << i));
    }

    /** The payload, typed by the record's type (the catalog names every slot). */
    public SysPayload payload() {
      return SysPayload.of(this);
    }

    public boolean flag(int f) {
      return (flags & f) != 0;
    }
  }

  /** The last thread of a process exited. */
  record ProcessExit(ProcessInfo process, int waitStatus) implements KernelEvent {
    /** Exit status (0-255) when the process exited normally, else -1. */
    public int exitCode() {
      return signal() == 0 ? (waitStatus >> 8) & 0xff : -1;
    }

    /** Number of the signal that terminated the process, 0 when it exited normally. */
    public int signal() {
      return waitStatus & 0x7f;
    }

    public boolean coreDumped() {
      return (waitStatus & 0x80) != 0;
    }
  }
}
