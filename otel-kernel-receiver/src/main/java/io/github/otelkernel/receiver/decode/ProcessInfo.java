package io.github.otelkernel.receiver.decode;

/**
 * The acting process, from the common record header.
 *
 * @param bootNanos kernel boot-clock time of the event
 * @param startBootNanos boot-clock time the process started
 * @param comm the kernel's task name (at most 15 bytes, set by the process itself)
 * @param namespacePid the pid the process sees for itself in its own pid namespace
 * @param tty controlling terminal name ("pts/3"), empty when none
 */
public record ProcessInfo(
    long bootNanos,
    int pid,
    int tid,
    int parentPid,
    Credentials credentials,
    long startBootNanos,
    long cgroupId,
    RawBytes comm,
    int sessionId,
    int processGroupId,
    int namespacePid,
    long pidNamespace,
    long mountNamespace,
    String tty) {

  /** Controlling terminal, if any. */
  public boolean hasTty() {
    return !tty.isEmpty();
  }
}
