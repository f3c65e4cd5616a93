package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes under a real agent: what lands in the OTLP/JSON file is what happened. */
class ProcessLifecycleIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  static Path dir;

  static List<ExportedLog> records;
  static long exit7Pid;
  static long killedPid;
  static long startNanos;
  static long endNanos;
  static int agentExit;
  static AgentProcess agent;
  static Path workDir;

  @BeforeAll
  static void runWorkload() throws Exception {
    agent = AgentProcess.start(dir, false);
    workDir = Files.createDirectories(dir.resolve("work dir")).toRealPath();
    startNanos = System.currentTimeMillis() * 1_000_000L;
    exit7Pid = AgentProcess.run(workDir, "/bin/sh", "-c", "exit 7");
    killedPid = AgentProcess.run(workDir, "/bin/sh", "-c", "kill -9 $$");
    endNanos = System.currentTimeMillis() * 1_000_000L;
    agentExit = agent.stop();
    records = agent.records();
  }

  @AfterAll
  static void cleanUp() throws Exception {
    agent.close();
  }

  static List<ExportedLog> of(String event, long pid) {
    return records.stream()
        .filter(r -> event.equals(r.eventName()) && pid == (Long) r.attr("process.pid"))
        .toList();
  }

  @Test
  void agentStopsCleanlyOnSigterm() throws Exception {
    assertEquals(0, agentExit, agent.stderrText());
    assertEquals(0, agent.summaryCount("kernel_lost"));
    assertEquals(0, agent.summaryCount("failed"));
  }

  @Test
  void execOfShellCarriesPathArgsIdsAndCwd() throws Exception {
    // ProcessBuilder launches through jspawnhelper: two execs in the same pid, the shell last
    List<ExportedLog> execs = of("process.exec", exit7Pid);
    assertEquals(2, execs.size(), () -> "execs of pid " + exit7Pid + ": " + execs);
    ExportedLog exec = execs.get(1);
    String shell = Path.of("/bin/sh").toRealPath().toString();
    assertEquals(shell, exec.stringAttr("process.executable.path"));
    assertEquals(
        Path.of(shell).getFileName().toString(), exec.stringAttr("process.executable.name"));
    assertEquals(List.of("/bin/sh", "-c", "exit 7"), exec.args());
    assertEquals("/bin/sh -c exit 7", exec.stringAttr("process.command_line"));
    assertEquals(3L, exec.longAttr("process.args_count"));
    assertEquals(ProcessHandle.current().pid(), exec.longAttr("process.parent_pid"));
    assertEquals(workDir.toString(), exec.stringAttr("process.working_directory"));
    assertEquals(0L, exec.longAttr("process.user.id"));
    assertEquals(0L, exec.longAttr("process.real_user.id"));
    assertEquals(0L, exec.longAttr("ksec.process.group.id"));
    assertNull(exec.attr("ksec.process.command_args.truncated"));
    assertTrue(exec.body().contains("executed " + shell), exec.body());
    assertTrue(execs.get(0).stringAttr("process.executable.path").endsWith("/jspawnhelper"));
  }

  @Test
  void exitCarriesCodeAndParent() {
    List<ExportedLog> exits = of("process.exit", exit7Pid);
    assertEquals(1, exits.size(), () -> "exits of pid " + exit7Pid + ": " + exits);
    ExportedLog exit = exits.get(0);
    assertEquals(7L, exit.longAttr("process.exit.code"));
    assertNull(exit.attr("ksec.process.exit.signal"));
    assertEquals(ProcessHandle.current().pid(), exit.longAttr("process.parent_pid"));
    assertTrue(exit.body().contains("exited with code 7"), exit.body());
  }

  @Test
  void forkNamesChildAndParent() {
    List<ExportedLog> forks = of("process.fork", exit7Pid);
    assertEquals(1, forks.size(), () -> "forks of pid " + exit7Pid + ": " + forks);
    assertEquals(ProcessHandle.current().pid(), forks.get(0).longAttr("process.parent_pid"));
  }

  @Test
  void deathBySignalIsReportedAsSignalNotExitCode() {
    List<ExportedLog> exits = of("process.exit", killedPid);
    assertEquals(1, exits.size());
    ExportedLog exit = exits.get(0);
    assertEquals(9L, exit.longAttr("ksec.process.exit.signal"));
    assertEquals("SIGKILL", exit.stringAttr("ksec.process.exit.signal_name"));
    assertNull(exit.attr("process.exit.code"));
  }

  @Test
  void timestampsAreWallClockTimesOfTheKernelEvent() {
    // boot-clock → wall-clock conversion: the exec happened between our two readings of the clock
    // (1 ms of slack for the millisecond resolution of currentTimeMillis)
    for (ExportedLog r : of("process.exec", exit7Pid)) {
      assertTrue(
          r.timeUnixNano() >= startNanos - 1_000_000 && r.timeUnixNano() <= endNanos + 1_000_000,
          () -> r.timeUnixNano() + " not in [" + startNanos + ", " + endNanos + "]");
    }
    ExportedLog exec = of("process.exec", exit7Pid).get(1);
    ExportedLog exit = of("process.exit", exit7Pid).get(0);
    assertTrue(exit.timeUnixNano() >= exec.timeUnixNano());
  }

  @Test
  void everyRecordConformsToTheSemanticConventionsRegistry() throws Exception {
    List<String> problems = new RegistryConformance().check(records);
    assertTrue(problems.isEmpty(), String.join("\n", problems));
    assertTrue(
        records.stream()
            .map(ExportedLog::eventName)
            .collect(java.util.stream.Collectors.toSet())
            .containsAll(java.util.Set.of("process.exec", "process.fork", "process.exit")),
        "every lifecycle event was seen");
  }

  @Test
  void hostFactsAreOnTheResourceNotOnRecords() throws Exception {
    ExportedLog exec = of("process.exec", exit7Pid).get(1);
    assertEquals(
        Files.readString(Path.of("/proc/sys/kernel/hostname")).trim(),
        exec.resource().get("host.name"));
    assertEquals(
        Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim(),
        exec.resource().get("os.version"));
    assertEquals("linux", exec.resource().get("os.type"));
    assertEquals("otel-kernel-receiver", exec.resource().get("service.name"));
    assertFalse(((String) exec.resource().get("service.version")).isBlank());
    if (Files.exists(Path.of("/etc/machine-id"))) {
      assertEquals(
          Files.readString(Path.of("/etc/machine-id")).trim(), exec.resource().get("host.id"));
    }
    assertFalse(exec.attributes().containsKey("host.name"));
  }
}
