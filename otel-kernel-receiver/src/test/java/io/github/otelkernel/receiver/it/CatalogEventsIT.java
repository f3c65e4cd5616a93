package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.decode.KernelNames;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The network, privilege, injection and integrity events, each triggered for real by
 * workloads/catalog.py (as root, in a temporary directory) and asserted on what the agent exported:
 * EventName, key attributes, outcome.
 */
class CatalogEventsIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  static final String TAG = "cat" + System.nanoTime();
  static List<ExportedLog> records;
  static long workloadPid;
  static long agentPid;
  static int port4;
  static int port6;
  static int refused;
  static String agentStderr;

  @BeforeAll
  static void runWorkload() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    Path script = dir.resolve("catalog.py");
    try (InputStream in = CatalogEventsIT.class.getResourceAsStream("/workloads/catalog.py")) {
      Files.write(script, in.readAllBytes());
    }
    port4 = AgentProcess.freePort();
    port6 = AgentProcess.freePort();
    refused = AgentProcess.freePort();
    // merge windows off so that each action is its own record; unix connects only under the test's
    // directory
    String policy =
        """
        events:
          network.connect: {aggregate: 0s}
          network.send: {aggregate: 0s}
          network.unix_connect: {include: ["%s/"]}
          process.capability_use: {aggregate: 0s}
          process.memory_wx: {aggregate: 0s}
          process.prctl: {aggregate: 0s}
        capabilities: [CAP_SYS_PTRACE, CAP_SYS_ADMIN]
        """
            .formatted(work);
    try (AgentProcess agent = AgentProcess.startWithPolicy(dir, policy)) {
      agentPid = agent.pid();
      workloadPid =
          AgentProcess.run(
              work,
              "python3",
              script.toString(),
              work.toString(),
              TAG,
              Long.toString(agentPid),
              Integer.toString(port4),
              Integer.toString(port6),
              Integer.toString(refused),
              syscallNumbers());
      Thread.sleep(1500);
      assertEquals(0, agent.stop(), agent.stderrText());
      agentStderr = agent.stderrText();
      records = agent.records();
    }
  }

  /** The call numbers catalog.py needs, as JSON: it calls these through syscall(2), by number. */
  static String syscallNumbers() throws Exception {
    Map<String, Integer> nr = new LinkedHashMap<>();
    for (String call :
        List.of("bpf", "finit_module", "delete_module", "kexec_file_load", "pivot_root")) {
      nr.put(call, KernelNames.syscallNumber(call).orElseThrow());
    }
    return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(nr);
  }

  static List<ExportedLog> of(String event, Predicate<ExportedLog> p) {
    return records.stream().filter(r -> event.equals(r.eventName())).filter(p).toList();
  }

  static ExportedLog one(String event, Predicate<ExportedLog> p) {
    return of(event, p).stream()
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    "no matching "
                        + event
                        + " among "
                        + records.stream()
                            .filter(r -> event.equals(r.eventName()))
                            .map(ExportedLog::body)
                            .toList()));
  }

  static boolean byWorkload(ExportedLog r) {
    return r.attr("process.pid") instanceof Long p
        && (p == workloadPid || Long.valueOf(workloadPid).equals(r.attr("process.parent_pid")));
  }

  static boolean hasPort(ExportedLog r, String key, int port) {
    return r.attr(key) instanceof Long p && p == port;
  }

  @Test
  void tcpConnectAndAcceptCarryTheFourTupleOverIpv4AndIpv6() {
    ExportedLog connect = one("network.connect", r -> hasPort(r, "destination.port", port4));
    assertEquals("127.0.0.1", connect.stringAttr("destination.address"));
    assertEquals("127.0.0.1", connect.stringAttr("source.address"));
    assertTrue(connect.longAttr("source.port") > 0, connect.toString());
    assertEquals("tcp", connect.stringAttr("network.transport"));
    assertEquals("ipv4", connect.stringAttr("network.type"));
    assertEquals("outbound", connect.stringAttr("ksec.network.direction"));
    assertEquals("success", connect.stringAttr("ksec.event.outcome"));
    assertEquals(workloadPid, connect.longAttr("process.pid"));

    ExportedLog accept = one("network.accept", r -> hasPort(r, "destination.port", port4));
    assertEquals("inbound", accept.stringAttr("ksec.network.direction"));
    // the accepted peer is the connecting socket: the same port on both records
    assertEquals(connect.longAttr("source.port"), accept.longAttr("source.port"));

    ExportedLog connect6 = one("network.connect", r -> hasPort(r, "destination.port", port6));
    assertEquals("ipv6", connect6.stringAttr("network.type"));
    assertTrue(
        List.of("0:0:0:0:0:0:0:1", "::1").contains(connect6.stringAttr("destination.address")),
        connect6.toString());
    assertTrue(of("network.accept", r -> hasPort(r, "destination.port", port6)).size() == 1);
  }

  @Test
  void refusedConnectIsAFailureWithItsErrno() {
    ExportedLog c = one("network.connect", r -> hasPort(r, "destination.port", refused));
    assertEquals("failure", c.stringAttr("ksec.event.outcome"));
    assertEquals("ECONNREFUSED", c.stringAttr("error.type"));
    assertEquals("127.0.0.1", c.stringAttr("destination.address"));
  }

  @Test
  void listenBindUdpAndUnixSockets() {
    ExportedLog listen = one("network.listen", r -> hasPort(r, "network.local.port", port4));
    assertEquals(7L, listen.longAttr("ksec.network.listen.backlog"));
    assertEquals("127.0.0.1", listen.stringAttr("network.local.address"));
    one("network.bind", r -> hasPort(r, "network.local.port", port6));
    ExportedLog dns = one("network.send", r -> byWorkload(r) && hasPort(r, "destination.port", 53));
    assertEquals("udp", dns.stringAttr("network.transport"));
    ExportedLog udpConnect =
        one("network.connect", r -> byWorkload(r) && hasPort(r, "destination.port", 53));
    assertEquals("udp", udpConnect.stringAttr("network.transport"));
    ExportedLog unix = one("network.unix_connect", r -> byWorkload(r));
    assertEquals(
        dir.resolve("work/ksec.sock").toString(), unix.stringAttr("ksec.network.unix.path"));
    assertEquals("unix", unix.stringAttr("network.transport"));
  }

  @Test
  void idChangesRecordBeforeAndAfterAndAFailedReturnToRoot() {
    ExportedLog drop =
        one(
            "process.setuid",
            r ->
                byWorkload(r)
                    && Long.valueOf(65534).equals(r.attr("ksec.credentials.requested.saved_id"))
                    && "success".equals(r.attr("ksec.event.outcome")));
    assertEquals(0L, drop.longAttr("ksec.credentials.previous.effective_id"));
    assertEquals(65534L, drop.longAttr("process.user.id"));
    ExportedLog back =
        one("process.setuid", r -> byWorkload(r) && "failure".equals(r.attr("ksec.event.outcome")));
    assertEquals("EPERM", back.stringAttr("error.type"));
    assertEquals(0L, back.longAttr("ksec.credentials.requested.effective_id"));
    one(
        "process.setgid",
        r -> byWorkload(r) && Long.valueOf(65534).equals(r.attr("ksec.process.group.id")));
  }

  @Test
  void prctlRenameCapabilityUseAndCapset() {
    ExportedLog rename =
        one("process.prctl", r -> r.attr("process.pid") instanceof Long p && p == workloadPid);
    assertEquals("PR_SET_NAME", rename.stringAttr("ksec.prctl.option"));
    assertEquals("k-" + TAG.substring(TAG.length() - 10), rename.stringAttr("ksec.prctl.name"));
    ExportedLog cap =
        one(
            "process.capability_use",
            r ->
                byWorkload(r)
                    && "CAP_SYS_PTRACE".equals(r.attr("ksec.capability.name"))
                    && "success".equals(r.attr("ksec.event.outcome")));
    assertEquals(true, cap.attr("ksec.capability.initial_namespace"));
    assertEquals(null, cap.attr("ksec.syscall.name"), "a capability check is not a system call");
    ExportedLog denied =
        one(
            "process.capability_use",
            r ->
                byWorkload(r)
                    && "CAP_SYS_ADMIN".equals(r.attr("ksec.capability.name"))
                    && "failure".equals(r.attr("ksec.event.outcome")));
    assertEquals("EPERM", denied.stringAttr("error.type"));
    assertEquals(65534L, denied.longAttr("process.user.id"));
  }

  @Test
  void capsetAndARefusedSysctlWrite() {
    ExportedLog capset =
        one("process.capset", r -> byWorkload(r) && "setpriv".equals(r.attr("ksec.process.comm")));
    assertEquals(List.of(), capset.attrList("ksec.capabilities.inheritable"));
    assertTrue(
        !capset.<List<String>>attrList("ksec.capabilities.effective").isEmpty(), capset.toString());
    assertEquals("success", capset.stringAttr("ksec.event.outcome"));
    ExportedLog sysctl = one("kernel.sysctl_write", r -> byWorkload(r));
    assertEquals("kernel.domainname", sysctl.stringAttr("ksec.sysctl.name"));
    assertEquals("failure", sysctl.stringAttr("ksec.event.outcome"));
    assertEquals("EACCES", sysctl.stringAttr("error.type"));
  }

  @Test
  void signalsAndTheOneAimedAtTheAgent() {
    ExportedLog term =
        one(
            "process.signal",
            r ->
                "SIGTERM".equals(r.attr("ksec.signal.name"))
                    && Long.valueOf(workloadPid).equals(r.attr("process.pid")));
    assertEquals(15L, term.longAttr("ksec.signal.number"));
    assertTrue(term.longAttr("ksec.target.process.pid") > 0);
    ExportedLog atAgent =
        one(
            "process.signal",
            r -> Long.valueOf(agentPid).equals(r.attr("ksec.target.process.pid")));
    assertEquals(true, atAgent.attr("ksec.target.process.is_agent"));
    assertEquals(
        0L,
        atAgent.longAttr("ksec.signal.number"),
        "even a liveness probe at the agent is reported");
  }

  @Test
  void namespaceChanges() {
    ExportedLog setns = one("process.setns", CatalogEventsIT::byWorkload);
    assertEquals(List.of("uts"), setns.attrList("ksec.namespace.types"));
    assertTrue(setns.longAttr("ksec.namespace.inode") > 0);
    ExportedLog unshare =
        one(
            "process.unshare",
            r ->
                byWorkload(r)
                    && r.<List<String>>attrList("ksec.namespace.types").equals(List.of("uts")));
    assertEquals("success", unshare.stringAttr("ksec.event.outcome"));
    one(
        "process.unshare",
        r ->
            byWorkload(r)
                && r.<List<String>>attrList("ksec.namespace.types").equals(List.of("mnt")));
  }

  @Test
  void aChildLeavesTheSessionAndLeadsItsOwn() throws Exception {
    ExportedLog setsid = one("process.setsid", CatalogEventsIT::byWorkload);
    assertEquals("success", setsid.stringAttr("ksec.event.outcome"));
    long pid = setsid.longAttr("process.pid");
    assertEquals(pid, setsid.longAttr("process.session_leader.pid"), "the new session is its own");
    assertEquals(pid, setsid.longAttr("ksec.syscall.return"));
    long previous = setsid.longAttr("ksec.process.previous_session.id");
    // the workload inherits this JVM's session, which is 0 when CI is started outside any session
    assertEquals(EnrichmentIT.ownSessionId(), previous, setsid.toString());
  }

  @Test
  void ptraceAndCrossProcessMemoryAccess() {
    ExportedLog attach =
        one("process.ptrace", r -> byWorkload(r) && "success".equals(r.attr("ksec.event.outcome")));
    assertEquals("PTRACE_ATTACH", attach.stringAttr("ksec.ptrace.request"));
    long target = attach.longAttr("ksec.target.process.pid");
    ExportedLog denied =
        one("process.ptrace", r -> byWorkload(r) && "failure".equals(r.attr("ksec.event.outcome")));
    assertEquals(1L, denied.longAttr("ksec.target.process.pid"));
    assertEquals("EPERM", denied.stringAttr("error.type"));
    ExportedLog read = one("process.vm_read", r -> byWorkload(r));
    assertEquals(target, read.longAttr("ksec.target.process.pid"));
    assertEquals(16L, read.longAttr("ksec.syscall.return"));
    assertTrue(
        read.attr("ksec.target.process.entity_id") != null,
        "the target is known to the process table");
    assertEquals(16L, one("process.vm_write", r -> byWorkload(r)).longAttr("ksec.syscall.return"));
  }

  @Test
  void memfdAndFilelessExecution() {
    ExportedLog memfd =
        one("process.memfd_create", r -> ("ksec-" + TAG).equals(r.attr("ksec.memfd.name")));
    assertEquals(List.of(), memfd.attrList("ksec.memfd.flags"));
    ExportedLog exec =
        one("process.exec", r -> r.args() != null && r.args().equals(List.of("memfd-true", TAG)));
    assertEquals(true, exec.attr("ksec.process.executable.fileless"), exec.toString());
  }

  @Test
  void writableExecutableMemory() {
    List<ExportedLog> wx =
        of("process.memory_wx", r -> Long.valueOf(workloadPid).equals(r.attr("process.pid")));
    assertTrue(
        wx.stream()
            .anyMatch(
                r ->
                    r.longAttr("ksec.memory.length") == 8192
                        && "mmap".equals(r.attr("ksec.syscall.name"))),
        wx.toString());
    ExportedLog mprotect =
        wx.stream()
            .filter(r -> r.longAttr("ksec.memory.length") == 12288)
            .findFirst()
            .orElseThrow();
    assertEquals("mprotect", mprotect.stringAttr("ksec.syscall.name"));
    assertEquals("rwx", mprotect.stringAttr("ksec.memory.protection"));
  }

  @Test
  void bpfLoadModuleAndKexecAttempts() {
    ExportedLog bpf =
        one("kernel.bpf_load", r -> "ksec_probe".equals(r.attr("ksec.bpf.program.name")));
    assertEquals("socket_filter", bpf.stringAttr("ksec.bpf.program.type"));
    assertEquals(2L, bpf.longAttr("ksec.bpf.program.instructions"));
    assertEquals("success", bpf.stringAttr("ksec.event.outcome"));
    assertTrue(bpf.longAttr("ksec.bpf.program.id") > 0);
    // without module support these fail with ENOSYS; with it, -1 is a bad descriptor: either way a
    // failure
    ExportedLog load =
        one("kernel.module_load", r -> Long.valueOf(workloadPid).equals(r.attr("process.pid")));
    assertEquals("failure", load.stringAttr("ksec.event.outcome"));
    assertEquals("finit_module", load.stringAttr("ksec.syscall.name"));
    ExportedLog unload =
        one("kernel.module_unload", r -> "ksec_fake".equals(r.attr("ksec.module.name")));
    assertEquals("failure", unload.stringAttr("ksec.event.outcome"));
    ExportedLog kexec =
        one("kernel.kexec_load", r -> Long.valueOf(workloadPid).equals(r.attr("process.pid")));
    assertEquals("kexec_file_load", kexec.stringAttr("ksec.syscall.name"));
  }

  @Test
  void mountsAndRootSwitches() {
    ExportedLog mount = one("host.mount", r -> ("ksec-" + TAG).equals(r.attr("ksec.mount.source")));
    assertEquals(dir.resolve("work/mnt").toString(), mount.stringAttr("ksec.mount.target"));
    assertEquals("tmpfs", mount.stringAttr("ksec.mount.fstype"));
    assertEquals("success", mount.stringAttr("ksec.event.outcome"));
    ExportedLog umount =
        one(
            "host.umount",
            r -> dir.resolve("work/mnt").toString().equals(r.attr("ksec.mount.target")));
    assertEquals(List.of("MNT_DETACH"), umount.attrList("ksec.mount.flags"));
    ExportedLog pivot = one("host.pivot_root", r -> byWorkload(r));
    assertEquals(dir.resolve("work/newroot").toString(), pivot.stringAttr("ksec.mount.target"));
    assertEquals(
        dir.resolve("work/newroot/old").toString(), pivot.stringAttr("ksec.mount.put_old"));
    assertEquals("failure", pivot.stringAttr("ksec.event.outcome"));
  }

  @Test
  void clockChangeAttemptIsReported() {
    ExportedLog clock = one("host.clock_set", r -> byWorkload(r));
    assertEquals("CLOCK_REALTIME", clock.stringAttr("ksec.clock.name"));
    assertEquals("2000-01-01T00:00:00Z", clock.stringAttr("ksec.clock.time"));
    assertEquals("EPERM", clock.stringAttr("error.type"));
  }

  @Test
  void everyRecordConformsToTheRegistry() throws Exception {
    assertEquals(List.of(), new RegistryConformance().check(records));
  }

  @AfterAll
  static void noStackTraces() {
    assertFalse(agentStderr.contains("\tat "), agentStderr);
  }
}
