package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real file activity in a temporary directory, through the probes, the kernel-side path policy,
 * aggregation and redaction, to the exported records.
 */
class FileEventsIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  static final String TAG = "files-" + System.nanoTime();
  static List<ExportedLog> records;
  static long filteredOpens;
  static String agentStderr;

  @BeforeAll
  static void runWorkload() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    Files.createDirectories(work.resolve("excluded"));
    Files.writeString(work.resolve("secret"), "s3cr3t");
    Files.writeString(work.resolve("rootfile"), "x");
    String policy =
        """
        events:
          file.open: {aggregate: 0s, exclude: ["%1$s/excluded/"]}
          file.read: {include: ["%1$s/secret"]}
          file.mkdir: {}
          file.rmdir: {}
          file.truncate: {aggregate: 3s}
        """
            .formatted(work);
    try (AgentProcess agent = AgentProcess.startWithPolicy(dir, policy)) {
      long before = filteredCounter(agent.pid(), 24);
      AgentProcess.run(
          work,
          "/bin/bash",
          "-c",
          String.join(
              "; ",
              "echo one > a.txt",
              "mv a.txt b.txt",
              "chmod 4755 b.txt",
              "ln -s ../elsewhere lnk",
              "ln b.txt hard",
              "touch -d 2001-02-03T04:05:06Z b.txt",
              "python3 -c \"import os\nfor i in range(5): os.truncate('b.txt', 7)\"",
              "python3 -c \"import os; os.setxattr('b.txt', 'user.origin', b'downloaded')\"",
              "chown 65534:65534 b.txt",
              "mkdir sub; rmdir sub",
              "cat secret > /dev/null",
              "for i in 1 2 3; do echo x > excluded/f$i; done",
              "rm b.txt hard lnk",
              "cd sub2 2>/dev/null; : relative and failing",
              "setpriv --reuid=65534 --regid=65534 --clear-groups chmod 4777 rootfile",
              "/bin/true " + TAG + " --password=hunter2 --api-key topsecret",
              // /run/ is quiet by default, but for the directories persistence lives in
              "new=0; [ -d /run/modprobe.d ] || { mkdir /run/modprobe.d; new=1; }",
              "echo '# ksec test' > /run/modprobe.d/" + TAG + ".conf",
              "rm /run/modprobe.d/" + TAG + ".conf",
              "[ $new = 1 ] && rmdir /run/modprobe.d",
              "echo 1 > /run/" + TAG + ".pid; rm /run/" + TAG + ".pid"));
      Thread.sleep(4500); // the truncate window (3 s) closes, the batch (100 ms) leaves
      filteredOpens = filteredCounter(agent.pid(), 24) - before;
      assertEquals(0, agent.stop(), agent.stderrText());
      agentStderr = agent.stderrText();
      records = agent.records();
    }
  }

  /**
   * The kernel's count of events the agent's policy dropped, for one type, summed over CPUs, read
   * with bpftool from the map the agent process holds.
   */
  static long filteredCounter(long agentPid, int type) throws Exception {
    ObjectMapper json = new ObjectMapper();
    long id = -1;
    // the maps the agent holds open, by their ids in /proc/PID/fdinfo
    try (var fds = Files.list(Path.of("/proc/" + agentPid + "/fdinfo"))) {
      for (Path fd : fds.toList()) {
        String info;
        try {
          info = Files.readString(fd);
        } catch (java.io.IOException closed) {
          continue;
        }
        var m = java.util.regex.Pattern.compile("map_id:\\s+(\\d+)").matcher(info);
        if (m.find()
            && "policy_filtered"
                .equals(
                    json.readTree(bpftool("-j", "map", "show", "id", m.group(1)))
                        .path("name")
                        .asText())) {
          id = Long.parseLong(m.group(1));
        }
      }
    }
    assertTrue(id >= 0, "the agent holds no policy_filtered map");
    long sum = 0;
    for (JsonNode e : json.readTree(bpftool("-j", "map", "dump", "id", Long.toString(id)))) {
      JsonNode f = e.path("formatted");
      if (f.path("key").asInt(-1) == type) {
        for (JsonNode cpu : f.path("values")) {
          sum += cpu.path("value").asLong();
        }
      }
    }
    return sum;
  }

  private static String bpftool(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("bpftool"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    return out;
  }

  static List<ExportedLog> in(String event) {
    String base = dir.resolve("work").toString();
    return records.stream()
        .filter(r -> event.equals(r.eventName()))
        .filter(r -> r.attr("file.path") instanceof String p && p.startsWith(base))
        .collect(Collectors.toList());
  }

  static ExportedLog one(String event, String path) {
    String full = dir.resolve("work").resolve(path).toString();
    return in(event).stream()
        .filter(r -> full.equals(r.attr("file.path")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + event + " of " + full + " in " + in(event)));
  }

  @Test
  void writeOpenRenameChmodAreReportedWithAbsolutePaths() {
    ExportedLog open = one("file.open", "a.txt");
    assertTrue(
        open.<List<String>>attrList("ksec.file.open.flag_names").contains("O_CREAT"),
        open.toString());
    assertEquals("success", open.stringAttr("ksec.event.outcome"));
    assertEquals("file", open.stringAttr("ksec.event.category"));
    ExportedLog rename = one("file.rename", "b.txt");
    assertEquals(
        dir.resolve("work/a.txt").toString(), rename.stringAttr("ksec.file.original_path"));
    assertTrue(rename.stringAttr("ksec.syscall.name").startsWith("rename"), rename.toString());
    ExportedLog chmod = one("file.chmod", "b.txt");
    assertEquals("4755", chmod.stringAttr("file.mode"));
    assertEquals(true, chmod.attr("ksec.file.mode.setuid"));
  }

  @Test
  void linksTimesXattrsOwnersAndRemovals() {
    assertEquals(
        "../elsewhere", one("file.symlink", "lnk").stringAttr("ksec.file.symlink.target_path"));
    assertEquals(
        dir.resolve("work/b.txt").toString(),
        one("file.link", "hard").stringAttr("ksec.file.original_path"));
    ExportedLog utimes = one("file.utimes", "b.txt");
    assertEquals("2001-02-03T04:05:06Z", utimes.stringAttr("ksec.file.modify_time"));
    ExportedLog xattr = one("file.setxattr", "b.txt");
    assertEquals("user.origin", xattr.stringAttr("ksec.file.xattr.name"));
    assertEquals("ZG93bmxvYWRlZA==", xattr.stringAttr("ksec.file.xattr.value"));
    ExportedLog chown = one("file.chown", "b.txt");
    assertEquals("65534", chown.stringAttr("file.owner.id"));
    assertNotNull(one("file.mkdir", "sub"));
    assertNotNull(one("file.rmdir", "sub"));
    for (String f : List.of("b.txt", "hard", "lnk")) {
      assertNotNull(one("file.unlink", f));
    }
  }

  @Test
  void failedChmodCarriesTheErrno() {
    ExportedLog chmod = one("file.chmod", "rootfile");
    assertEquals("failure", chmod.stringAttr("ksec.event.outcome"));
    assertEquals("EPERM", chmod.stringAttr("error.type"));
    assertEquals(65534L, chmod.longAttr("process.user.id"));
    assertEquals(-1L, chmod.longAttr("ksec.syscall.return"));
  }

  @Test
  void watchedReadIsReportedAndExcludedPathsCostNoRecord() {
    ExportedLog read = one("file.open", "secret");
    assertEquals(List.of("O_RDONLY"), read.<List<String>>attrList("ksec.file.open.flag_names"));
    assertTrue(
        in("file.open").stream().noneMatch(r -> r.stringAttr("file.path").contains("/excluded/")),
        "an excluded path was exported");
    // the kernel counted them as filtered: they never reached the ring buffer
    assertTrue(filteredOpens >= 3, "policy_filtered for file.open grew by " + filteredOpens);
  }

  @Test
  void repeatsWithinTheWindowBecomeOneRecordWithACount() {
    List<ExportedLog> truncates = in("file.truncate");
    // one process truncating the same file to the same size five times within the 3 s window:
    // the first at once, the four repeats as one record
    assertEquals(2, truncates.size(), truncates.toString());
    assertEquals(null, truncates.get(0).attr("ksec.event.count"));
    assertEquals(4L, truncates.get(1).longAttr("ksec.event.count"));
    assertEquals(7L, truncates.get(1).longAttr("file.size"));
    assertNotNull(truncates.get(1).attr("ksec.event.end"));
    // a type without a window is never merged
    assertEquals(null, one("file.open", "a.txt").attr("ksec.event.count"));
  }

  @Test
  void secretsOnCommandLinesAreRedacted() {
    ExportedLog exec =
        records.stream()
            .filter(
                r ->
                    "process.exec".equals(r.eventName())
                        && r.args() != null
                        && r.args().contains(TAG))
            .findFirst()
            .orElseThrow();
    String line = exec.stringAttr("process.command_line");
    assertFalse(line.contains("hunter2") || line.contains("topsecret"), line);
    assertTrue(line.contains("--password=[REDACTED]"), line);
    assertEquals(
        List.of("/bin/true", TAG, "--password=[REDACTED]", "--api-key", "[REDACTED]"), exec.args());
    assertTrue(
        exec.<List<String>>attrList("ksec.policy.redacted").contains("process.command_line"));
  }

  @Test
  void everyRecordConformsToTheRegistry() throws Exception {
    assertEquals(List.of(), new RegistryConformance().check(records));
  }

  @AfterAll
  static void noStackTraces() {
    assertFalse(agentStderr.contains("\tat "), agentStderr);
  }

  @Test
  void theRuntimeDirectoriesPersistenceLivesInAreWatchedUnderTheQuietRun() {
    String conf = "/run/modprobe.d/" + TAG + ".conf";
    List<ExportedLog> created =
        records.stream()
            .filter(r -> "file.open".equals(r.eventName()) && conf.equals(r.attr("file.path")))
            .toList();
    assertEquals(1, created.size(), records.toString());
    assertEquals("conf", created.get(0).attr("file.extension"));
    assertTrue(
        records.stream()
            .anyMatch(r -> "file.unlink".equals(r.eventName()) && conf.equals(r.attr("file.path"))),
        "the removal too");
    // (this test's file.open excludes replace the default's: unlink keeps the default)
    assertFalse(
        records.stream()
            .anyMatch(
                r ->
                    "file.unlink".equals(r.eventName())
                        && ("/run/" + TAG + ".pid").equals(r.attr("file.path"))),
        "the rest of /run/ stays quiet");
  }
}
