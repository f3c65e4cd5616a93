package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Context on real processes: lineage, leaders, names, namespaces, containers, hashes. */
class EnrichmentIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  static final String TAG = "enrich-" + System.nanoTime();
  static final String CONTAINER_ID = "0123456789abcdef".repeat(4);
  static List<ExportedLog> records;
  static Path exe;
  static String hashV1;
  static String hashV2;
  static long outerPid;

  @BeforeAll
  static void runWorkload() throws Exception {
    // started before the agent: known only from /proc
    // it execs once the agent is up (the flag file), however long the start takes
    Path go = dir.resolve("early-go");
    Process early =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                "while [ ! -e " + go + " ]; do sleep 0.1; done; /bin/true " + TAG + " early")
            .start();
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      Files.createFile(go);
      AgentProcess.run(
          dir, "/bin/bash", "-c", "/bin/bash -c '/bin/true " + TAG + " nested; exit 0'; exit 0");
      // the parent exits at once; the child lives on, re-parented, and execs later
      outerPid =
          AgentProcess.run(
              dir,
              "/bin/sh",
              "-c",
              "/bin/sh -c 'sleep 0.5; exec /bin/true " + TAG + " orphan' & exit 0");
      AgentProcess.run(
          dir,
          "unshare",
          "--pid",
          "--fork",
          "--mount-proc",
          "/bin/sh",
          "-c",
          "/bin/true " + TAG + " unshared; exit 0");
      // script(1) gives its command a pseudo-terminal as controlling TTY
      AgentProcess.run(dir, "script", "-qec", "/bin/true " + TAG + " tty", "/dev/null");
      AgentProcess.run(
          dir,
          "setpriv",
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          "/bin/true",
          TAG,
          "nobody");
      // the same file executed twice, then changed and executed again
      exe = dir.resolve("tool");
      Files.copy(Path.of("/bin/true"), exe);
      exe.toFile().setExecutable(true);
      AgentProcess.run(dir, exe.toString(), TAG, "v1a");
      // hashing happens after the event is read, off the event path: give it the time a real
      // host gives between a download and a second run
      Thread.sleep(1000);
      AgentProcess.run(dir, exe.toString(), TAG, "v1b");
      hashV1 = sha256sum(exe);
      Thread.sleep(1000);
      Files.write(exe, new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
      AgentProcess.run(dir, exe.toString(), TAG, "v2");
      hashV2 = sha256sum(exe);
      // a process in a cgroup named the way Docker's systemd driver names them
      Path cgroup2 = cgroup2Mount().resolve("system.slice/docker-" + CONTAINER_ID + ".scope");
      Files.createDirectories(cgroup2);
      try {
        AgentProcess.run(
            dir,
            "/bin/sh",
            "-c",
            "echo $$ > "
                + cgroup2.resolve("cgroup.procs")
                + " && exec /bin/true "
                + TAG
                + " container");
      } finally {
        Files.deleteIfExists(cgroup2);
      }
      assertTrue(early.waitFor(30, TimeUnit.SECONDS));
      Thread.sleep(1000); // late hashes
      assertEquals(0, agent.stop(), agent.stderrText());
      records = agent.records();
    }
  }

  static Path cgroup2Mount() throws Exception {
    for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
      String[] f = line.split(" ");
      if (f[2].equals("cgroup2")) {
        return Path.of(f[1]);
      }
    }
    throw new AssertionError("no cgroup2 mount on this host");
  }

  static long ownSessionId() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[3]);
  }

  static String sha256sum(Path f) throws Exception {
    Process p = new ProcessBuilder("sha256sum", f.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out.split(" ")[0];
  }

  static ExportedLog exec(String marker) {
    return records.stream()
        .filter(
            r ->
                "process.exec".equals(r.eventName())
                    && r.args() != null
                    && r.args().size() >= 3
                    && r.args().get(1).equals(TAG)
                    && r.args().get(2).equals(marker))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no exec of " + marker));
  }

  static Optional<ExportedLog> execOfPid(long pid) {
    return records.stream()
        .filter(r -> "process.exec".equals(r.eventName()) && pid == (Long) r.attr("process.pid"))
        .reduce((a, b) -> b);
  }

  @Test
  void nestedShellsGiveParentAndEntityIds() throws Exception {
    ExportedLog child = exec("nested");
    long ppid = child.longAttr("process.parent_pid");
    ExportedLog parentExec = execOfPid(ppid).orElseThrow();
    assertEquals(
        "/usr/bin/bash", Path.of(parentExec.stringAttr("process.executable.path")).toString());
    assertEquals(
        parentExec.stringAttr("process.executable.path"),
        child.stringAttr("ksec.process.parent.executable.path"));
    assertEquals(
        parentExec.stringAttr("process.command_line"),
        child.stringAttr("ksec.process.parent.command_line"));
    assertEquals(
        parentExec.stringAttr("ksec.process.entity_id"),
        child.stringAttr("ksec.process.parent.entity_id"));
    // the grandparent is the outer bash
    ExportedLog grand = execOfPid(parentExec.longAttr("process.parent_pid")).orElseThrow();
    assertTrue(
        grand.stringAttr("process.command_line").contains("/bin/bash -c '/bin/true"),
        grand.toString());
    // one identity per process, on every event of it
    String id = child.stringAttr("ksec.process.entity_id");
    long pid = child.longAttr("process.pid");
    Set<String> ids = new HashSet<>();
    records.stream()
        .filter(
            r ->
                r.attr("process.pid") instanceof Long p
                    && p == pid
                    && r.attr("ksec.process.entity_id") != null)
        .forEach(r -> ids.add((String) r.attr("ksec.process.entity_id")));
    assertEquals(Set.of(id), ids);
    assertNotEquals(id, child.stringAttr("ksec.process.parent.entity_id"));
    // the shells inherit this JVM's session; under a CI runner that may be session 0 (none)
    long sid = ownSessionId();
    if (sid > 0) {
      assertEquals(sid, child.longAttr("process.session_leader.pid"));
    } else {
      assertNull(child.attr("process.session_leader.pid"), child.toString());
    }
  }

  @Test
  void orphanedProcessNamesItsNewParent() throws Exception {
    ExportedLog orphan = exec("orphan");
    long ppid = orphan.longAttr("process.parent_pid");
    assertNotEquals(outerPid, ppid, "re-parented away from the exited shell");
    // the new parent (init or a subreaper) was seeded from /proc: its command line is known
    String cmdline =
        new String(
                Files.readAllBytes(Path.of("/proc/" + ppid + "/cmdline")), StandardCharsets.UTF_8)
            .replace('\0', ' ')
            .strip();
    assertEquals(cmdline, orphan.stringAttr("ksec.process.parent.command_line"));
    assertNotNull(orphan.attr("ksec.process.parent.entity_id"));
  }

  @Test
  void processStartedBeforeTheAgentIsKnown() {
    ExportedLog child = exec("early");
    assertEquals(
        "/bin/sh -c while [ ! -e "
            + dir.resolve("early-go")
            + " ]; do sleep 0.1; done; /bin/true "
            + TAG
            + " early",
        child.stringAttr("ksec.process.parent.command_line"));
    assertNotNull(child.attr("ksec.process.parent.entity_id"));
  }

  @Test
  void unsharedPidAndMountNamespacesAreMarked() {
    ExportedLog inner = exec("unshared");
    assertEquals(false, inner.attr("ksec.process.pid_namespace.is_host"));
    assertEquals(false, inner.attr("ksec.process.mount_namespace.is_host"));
    assertEquals(2L, inner.longAttr("process.vpid")); // the shell inside is 1
    assertEquals("container", inner.stringAttr("ksec.process.entry_leader.entry_type"));
    assertEquals(
        inner.longAttr("process.parent_pid"), inner.longAttr("ksec.process.entry_leader.pid"));
    ExportedLog host = exec("nested");
    assertEquals(true, host.attr("ksec.process.pid_namespace.is_host"));
    assertEquals(true, host.attr("ksec.process.mount_namespace.is_host"));
    assertNotNull(host.attr("ksec.process.entry_leader.pid"));
  }

  @Test
  void userAndGroupNamesResolve() {
    ExportedLog root = exec("nested");
    assertEquals("root", root.stringAttr("process.user.name"));
    assertEquals("root", root.stringAttr("ksec.process.group.name"));
    ExportedLog nobody = exec("nobody");
    assertEquals(65534L, nobody.longAttr("process.user.id"));
    assertEquals("nobody", nobody.stringAttr("process.user.name"));
  }

  @Test
  void controllingTerminalMakesAProcessInteractive() {
    ExportedLog withTty = exec("tty");
    assertEquals(true, withTty.attr("process.interactive"));
    assertTrue(
        withTty.stringAttr("ksec.process.tty").startsWith("pts/"),
        withTty.stringAttr("ksec.process.tty"));
    ExportedLog without = exec("nested");
    assertEquals(false, without.attr("process.interactive"));
    assertFalse(without.attributes().containsKey("ksec.process.tty"));
  }

  static String hashOf(ExportedLog execRecord) {
    return ExportedLog.executableHash(records, execRecord)
        .orElseThrow(() -> new AssertionError("no hash, inline or late, for " + execRecord));
  }

  @Test
  void aFileThatChangesBetweenExecsGetsTwoHashes() {
    assertEquals(hashV1, hashOf(exec("v1a")));
    assertEquals(hashV1, hashOf(exec("v1b")));
    assertEquals(hashV2, hashOf(exec("v2")));
    assertNotEquals(hashV1, hashV2);
    // the second exec of the same version finds it cached, on the record itself
    assertEquals(hashV1, exec("v1b").attr("ksec.process.executable.hash.sha256"));
  }

  @Test
  void containerIdComesFromTheCgroupPath() {
    ExportedLog c = exec("container");
    assertEquals(CONTAINER_ID, c.stringAttr("container.id"));
    assertEquals("docker", c.stringAttr("container.runtime.name"));
    assertTrue(
        c.stringAttr("process.linux.cgroup")
            .endsWith("/system.slice/docker-" + CONTAINER_ID + ".scope"),
        c.stringAttr("process.linux.cgroup"));
    assertFalse(exec("nested").attributes().containsKey("container.id"));
  }
}
