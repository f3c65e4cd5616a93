package io.github.otelkernel.receiver.enrich;

import java.util.Optional;

/** What enrichment adds to one event: the process's place in the host, looked up, not fetched. */
public record ProcessContext(
    ProcessTable.Entry self,
    Optional<ProcessTable.Entry> parent,
    Optional<ProcessTable.Entry> sessionLeader,
    Optional<EntryLeader> entryLeader,
    Optional<String> userName,
    Optional<String> realUserName,
    Optional<String> groupName,
    Optional<String> realGroupName,
    Optional<String> loginUserName,
    String cgroupPath,
    Optional<ContainerIds.ContainerRef> container,
    boolean hostPidNamespace,
    boolean hostMountNamespace,
    Optional<String> executableSha256) {

  /** The entry leader and how it came in (sshd, terminal, cron, container, service, init). */
  public record EntryLeader(ProcessTable.Entry process, String type) {}
}
