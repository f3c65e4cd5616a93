package io.github.otelkernel.receiver.decode;

import java.util.List;

/** A decoded kernel record. One per ring-buffer record, one log record each. */
public sealed interface KernelEvent {
  ProcessInfo process();

  /** A program image replaced the process's (execve/execveat). */
  record ProcessExec(
      ProcessInfo process,
      RawBytes executablePath,
      boolean executablePathTruncated,
      RawBytes workingDirectory,
      boolean workingDirectoryTruncated,
      RawBytes cgroupPath,
      ExecutableIdentity executable,
      List<RawBytes> args,
      boolean argsTruncated,
      boolean argsUnreadable,
      long argsTotalBytes)
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
