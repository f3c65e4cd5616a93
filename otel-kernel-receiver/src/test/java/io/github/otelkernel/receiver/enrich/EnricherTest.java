package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.decode.Credentials;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnricherTest {
  private static final String ID = ContainerIdsTest.ID;

  private static RawBytes raw(String s) {
    return new RawBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ProcessInfo proc(int pid, int ppid, long startNanos) {
    return new ProcessInfo(
        startNanos,
        pid,
        pid,
        ppid,
        new Credentials(0, 0, 0, 0, Credentials.UNSET),
        startNanos,
        1,
        raw("sh"),
        0,
        0,
        pid,
        1,
        1,
        "");
  }

  private static KernelEvent.ProcessExec exec(ProcessInfo p, String cgroup) {
    return new KernelEvent.ProcessExec(
        p,
        false,
        raw("/bin/sh"),
        false,
        raw("/"),
        false,
        raw(cgroup),
        new KernelEvent.ExecutableIdentity(0, 0, 0, 0),
        List.of(raw("sh")),
        false,
        false,
        3,
        List.of(),
        false,
        false);
  }

  @Test
  void aReusedPidDoesNotInheritAStaleContainer() {
    try (ExecutableHasher hasher = new ExecutableHasher(16, 1)) {
      Enricher e =
          new Enricher(
              new ProcessTable("host", 1024, 1_000_000_000L),
              new UserDirectory(),
              hasher,
              late -> {});
      // pid 500 ran in a container; its exit was never seen (lost, or before the agent started)
      ProcessInfo inContainer = proc(500, 400, 1_000_000_000L);
      assertTrue(
          e.enrich(exec(inContainer, "/system.slice/docker-" + ID + ".scope"))
              .container()
              .isPresent());
      // later, pid 500 is reused by a child of a host process whose cgroup is known
      e.enrich(exec(proc(300, 1, 500_000_000L), "/user.slice/user-1000.slice/session-1.scope"));
      ProcessInfo reused = proc(500, 300, 9_000_000_000L);
      var ctx = e.enrich(new KernelEvent.ProcessFork(reused, 300));
      assertEquals("/user.slice/user-1000.slice/session-1.scope", ctx.cgroupPath());
      assertTrue(ctx.container().isEmpty(), "the stale container is not the new process's");
      // and a child of an unknown parent gets no cgroup rather than a stale one
      e.enrich(exec(proc(501, 400, 1_000_000_000L), "/system.slice/docker-" + ID + ".scope"));
      var orphan = e.enrich(new KernelEvent.ProcessFork(proc(501, 77, 9_500_000_000L), 77));
      assertTrue(orphan.container().isEmpty(), orphan.cgroupPath());
      // and when the new process's fork was lost too, its first event finds nothing of the old one
      e.enrich(exec(proc(502, 400, 1_000_000_000L), "/system.slice/docker-" + ID + ".scope"));
      var unseenFork = e.enrich(new KernelEvent.ProcessExit(proc(502, 300, 9_700_000_000L), 0));
      assertEquals(
          "",
          unseenFork.cgroupPath(),
          "state is kept per process (pid and start time), not per pid");
    }
  }
}
