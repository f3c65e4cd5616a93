package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy rules a process cannot step around: a cgroup made after start under an ignored or a
 * watched one follows its parent's rule, and a setuid-root program run by an ignored user is seen.
 */
class PolicySidestepIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  private List<ExportedLog> writesUnder(String cgroupRule, String tag) throws Exception {
    Path root = EnrichmentIT.cgroup2Mount();
    String name = "ksec-it-" + tag;
    Path parent = Files.createDirectories(root.resolve(name));
    Path watched = Files.createDirectories(dir.resolve("watched-" + tag));
    String receiver =
        "\n    policy: {"
            + cgroupRule.formatted("/" + name)
            + ", events: {file.open: {include: [\""
            + watched
            + "/\"]}}}";
    Path later = parent.resolve("made-after-start");
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      Files.createDirectories(later); // after the policy was compiled: no id of it was written
      AgentProcess.run(
          dir,
          "/bin/sh",
          "-c",
          "echo $$ > " + later.resolve("cgroup.procs") + " && : > " + watched.resolve("inside"));
      AgentProcess.run(dir, "/bin/sh", "-c", ": > " + watched.resolve("outside"));
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      return agent.records().stream()
          .filter(
              r ->
                  "file.open".equals(r.eventName())
                      && String.valueOf(r.attr("file.path")).startsWith(watched.toString()))
          .toList();
    } finally {
      Files.deleteIfExists(later);
      Files.deleteIfExists(parent);
    }
  }

  @Test
  void aCgroupMadeAfterStartUnderAnIgnoredOneIsIgnored() throws Exception {
    List<ExportedLog> writes =
        writesUnder("ignore: {cgroups: [\"%s\"]}", "ign" + System.nanoTime());
    assertTrue(
        writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/outside")),
        writes.toString());
    assertFalse(
        writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/inside")),
        "the child cgroup made after start is ignored with its parent: " + writes);
  }

  @Test
  void aCgroupMadeAfterStartUnderAWatchedOneIsWatched() throws Exception {
    List<ExportedLog> writes = writesUnder("watch: {cgroups: [\"%s\"]}", "wat" + System.nanoTime());
    assertTrue(
        writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/inside")),
        "the child cgroup made after start is watched with its parent: " + writes);
    assertFalse(
        writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/outside")),
        writes.toString());
  }

  @Test
  void aSetuidRootProgramRunByAnIgnoredUserIsSeen() throws Exception {
    Path watched = Files.createDirectories(dir.resolve("etc-like"));
    // a root-owned setuid copy of touch: run by nobody, it writes with root's effective uid
    Path touch = dir.resolve("touch-suid");
    Files.copy(Path.of("/usr/bin/touch"), touch);
    Files.setPosixFilePermissions(
        touch, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setAttribute(touch, "unix:mode", 04755);
    Files.setPosixFilePermissions(
        dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
    String receiver =
        "\n    policy: {ignore: {uids: [65534]}, events: {file.open: {include: [\""
            + watched
            + "/\"]}}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      List<String> nobody = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");
      List<String> asRoot = new java.util.ArrayList<>(nobody);
      asRoot.addAll(List.of(touch.toString(), watched.resolve("by-setuid-root").toString()));
      AgentProcess.run(Path.of("/"), asRoot.toArray(String[]::new));
      // the same user without the setuid program stays ignored (its write is refused, and filtered)
      List<String> plain = new java.util.ArrayList<>(nobody);
      plain.addAll(List.of("/usr/bin/touch", watched.resolve("by-nobody").toString()));
      AgentProcess.run(Path.of("/"), plain.toArray(String[]::new));
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> writes =
          agent.records().stream()
              .filter(
                  r ->
                      "file.open".equals(r.eventName())
                          && String.valueOf(r.attr("file.path")).startsWith(watched.toString()))
              .toList();
      assertTrue(Files.exists(watched.resolve("by-setuid-root")), "the setuid program ran as root");
      assertTrue(
          writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/by-setuid-root")),
          "an ignored user's setuid-root write is exported: " + writes);
      assertFalse(
          writes.stream().anyMatch(r -> r.stringAttr("file.path").endsWith("/by-nobody")),
          writes.toString());
      // the id change itself: the exec says the program runs as root for nobody
      assertTrue(
          agent.records().stream()
              .anyMatch(
                  r ->
                      "process.exec".equals(r.eventName())
                          && touch.toString().equals(r.attr("process.executable.path"))
                          && Boolean.TRUE.equals(r.attr("ksec.process.exec.id_change"))
                          && Long.valueOf(0).equals(r.attr("process.user.id"))
                          && Long.valueOf(65534).equals(r.attr("process.real_user.id"))),
          "the setuid exec is marked");
    }
  }

  /** Root ignored: its switch to another user (setpriv calls setresuid) is still exported. */
  @Test
  void anIdChangeOfAnIgnoredUserIsExported() throws Exception {
    String receiver = "\n    policy: {ignore: {uids: [0]}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      AgentProcess.run(
          Path.of("/"), "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/true");
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> ids =
          agent.records().stream()
              .filter(r -> "setpriv".equals(r.attr("ksec.process.comm")))
              .toList();
      assertTrue(
          ids.stream()
              .anyMatch(
                  r ->
                      "process.setuid".equals(r.eventName())
                          && "success".equals(r.attr("ksec.event.outcome"))),
          "setpriv's setresuid: " + ids);
      assertTrue(
          ids.stream().anyMatch(r -> "process.setgid".equals(r.eventName())),
          "and its setresgid: " + ids);
    }
  }
}
