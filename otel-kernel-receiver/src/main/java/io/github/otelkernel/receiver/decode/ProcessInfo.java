package io.github.otelkernel.receiver.decode;

/**
 * The acting process, from the common record header.
 *
 * @param bootNanos kernel boot-clock time of the event
 * @param startBootNanos boot-clock time the process started
 * @param comm the kernel's task name (at most 15 bytes, set by the process itself)
 */
public record ProcessInfo(
    long bootNanos,
    int pid,
    int tid,
    int parentPid,
    Credentials credentials,
    long startBootNanos,
    long cgroupId,
    RawBytes comm) {}
