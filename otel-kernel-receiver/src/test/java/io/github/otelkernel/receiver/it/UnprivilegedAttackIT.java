package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a local user can do to the sensor with nothing but its own processes: long-argument exec
 * storms through the redaction patterns, a regex-hostile argument, secrets in file names. The agent
 * must keep seeing, keep reporting its health, stop promptly, and mask the secrets everywhere.
 */
class UnprivilegedAttackIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  /** As the unprivileged user nobody, so nothing here needs more than any local account has. */
  private static final List<String> NOBODY =
      List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

  @Test
  void aLongArgumentExecStormDoesNotBlindTheAgent() throws Exception {
    String tag = "storm-" + System.nanoTime();
    // a user pattern shaped like a quadratic trap for a backtracking engine, beside the shipped
    // ones
    String policy =
        """
        redaction:
          patterns:
            - {name: user-token, regex: '--token(?:=|\\s)+(?<secret>\\S+)'}
        """;
    String receiver = "\n    health_interval: 1s\n    policy:\n" + policy.indent(6);
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      // 300 execs of /bin/true with 6,000 random letters (unanchored url-credentials: quadratic in
      // java.util.regex), then 100 with --token and 8,000 '=' for the user pattern, as fast as they
      // go
      String script =
          """
          cd / # the test's directory is root's only; nothing here needs more than any account has
          letters=$(head -c 30000 /dev/urandom | tr -dc 'a-zA-Z' | head -c 6000)
          eq=$(head -c 8000 /dev/zero | tr '\\0' '=')
          for i in $(seq 300); do /bin/true %1$s "$letters"; done
          for i in $(seq 100); do /bin/true %1$s --token "$eq"; done
          """
              .formatted(tag);
      List<String> cmd = new java.util.ArrayList<>(NOBODY);
      cmd.addAll(List.of("/bin/bash", "-c", script));
      long started = System.nanoTime();
      AgentProcess.run(dir, cmd.toArray(String[]::new));
      // a write right after the storm must arrive
      Path marker = dir.resolve("marker-" + tag);
      Files.writeString(marker, "after the storm");
      Thread.sleep(3_000);
      long stopStarted = System.nanoTime();
      assertEquals(0, agent.stop(), agent.stderrText());
      long stopSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopStarted);

      List<ExportedLog> records = agent.records();
      long execs =
          records.stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().size() > 1
                          && r.args().get(1).equals(tag))
              .count();
      assertEquals(400, execs, "every exec of the storm exported");
      assertTrue(
          records.stream()
              .anyMatch(
                  r ->
                      "file.open".equals(r.eventName())
                          && String.valueOf(r.stringAttr("file.path")).endsWith("marker-" + tag)),
          "the marker write arrived");
      assertEquals(0, agent.summaryCount("kernel_lost"), agent.stderrText());
      assertEquals(0, agent.summaryCount("malformed"), agent.stderrText());
      // health kept coming while the storm ran, and no stall was reported
      long stormSeconds = TimeUnit.NANOSECONDS.toSeconds(stopStarted - started);
      List<ExportedLog> health =
          records.stream().filter(r -> "agent.health".equals(r.eventName())).toList();
      assertTrue(
          health.size() >= Math.max(2, stormSeconds / 2),
          health.size() + " health records in " + stormSeconds + " s");
      assertTrue(
          health.stream().noneMatch(r -> r.attr("ksec.agent.stalled_seconds") != null),
          health.toString());
      assertTrue(stopSeconds < 60, "stopped in " + stopSeconds + " s");
      // the value after --token is masked (a secret flag masks the next argument)
      List<ExportedLog> tokens =
          records.stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().contains("--token"))
              .toList();
      assertEquals(100, tokens.size());
      assertTrue(
          tokens.stream()
              .allMatch(r -> r.args().get(r.args().indexOf("--token") + 1).equals("[REDACTED]")),
          () -> tokens.get(0).args().toString());
    }
  }

  /** The peak resident set the launcher's JVM options allow under any storm (docs/security.md). */
  static final long RSS_BOUND_MIB = 320;

  @Test
  void anInvalidUtf8ExecStormWithTheEndpointDownStaysWithinTheMemoryBound() throws Exception {
    String tag = "utf8-" + System.nanoTime();
    int execs = 3000;
    // an OTLP destination where nothing listens: every record it is given waits, then is counted
    String otlp =
        "otlp: {endpoint: \"127.0.0.1:" + AgentProcess.freePort() + "\", tls: {insecure: true}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir,
            "\n    health_interval: 1s\n",
            otlp,
            "",
            List.of("otlp"),
            List.of(),
            "batch: {timeout: 100ms}",
            AgentProcess.launcherJvmOptions())) {
      // 8,000 bytes per argument, random and mostly invalid UTF-8, a different one per exec (no
      // cache helps): each decodes to thousands of replacement characters, UTF-16 on the heap
      String script =
          """
          cd /
          blob=$(head -c 16000 /dev/urandom | tr -d '\\0' | head -c 7995)
          for i in $(seq %2$d); do /bin/true %1$s "$i$blob"; done
          """
              .formatted(tag, execs);
      List<String> cmd = new java.util.ArrayList<>(NOBODY);
      cmd.addAll(List.of("/bin/bash", "-c", script));
      AgentProcess.run(dir, cmd.toArray(String[]::new));
      Thread.sleep(2_000);
      long peakMib = peakRssMib(agent.pid());
      assertTrue(agent.isAlive(), "the agent is up after the storm: " + agent.stderrText());
      assertEquals(0, agent.stop(), agent.stderrText());
      String summary =
          agent.stderrText().lines().filter(l -> l.contains("stopped: ")).findFirst().orElse("");
      System.out.println("peak RSS " + peakMib + " MiB; " + summary);
      assertTrue(
          peakMib <= RSS_BOUND_MIB,
          "peak RSS " + peakMib + " MiB over the documented " + RSS_BOUND_MIB + " MiB: " + summary);

      long exported =
          agent.records().stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().size() > 2
                          && r.args().get(1).equals(tag))
              .count();
      long accounted =
          exported
              + agent.summaryCount("memory_shed")
              + agent.summaryCount("kernel_lost")
              + agent.summaryCount("batch_dropped", "file");
      assertTrue(
          accounted >= execs,
          exported + " execs exported to the file, the rest must be counted: " + summary);
      // the unreachable destination: nothing delivered, everything it was given counted as lost
      assertEquals(0, agent.summaryCount("exported", "otlp"), summary);
      long givenToFile =
          agent.summaryCount("exported", "file")
              + agent.summaryCount("failed", "file")
              + agent.summaryCount("batch_dropped", "file");
      long lostAtOtlp =
          agent.summaryCount("failed", "otlp")
              + agent.summaryCount("dropped", "otlp")
              + agent.summaryCount("batch_dropped", "otlp");
      assertEquals(
          givenToFile,
          lostAtOtlp,
          "every record given to the OTLP exporter is counted: " + summary);
      assertEquals(
          agent.summaryCount("batch_dropped", "file") + agent.summaryCount("batch_dropped", "otlp"),
          agent.summaryCount("queue_dropped"),
          summary);
    }
  }

  /** The agent's peak resident set so far (VmHWM), in MiB. */
  static long peakRssMib(long pid) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
      }
    }
    throw new AssertionError("no VmHWM for " + pid);
  }

  @Test
  void aSecretInAFileNameIsInNoFieldAndNoBody() throws Exception {
    String token = "ghp_" + "Ab1".repeat(12); // 36 alphanumerics
    String script =
        """
        d=%1$s
        : > "$d/%2$s"
        mv "$d/%2$s" "$d/renamed-%2$s"
        mkdir -p "$d/mnt"
        mount -t tmpfs "%2$s" "$d/mnt" && umount "$d/mnt"
        """
            .formatted(dir, token);
    try (AgentProcess agent = AgentProcess.start(dir, true)) {
      AgentProcess.run(dir, "/bin/bash", "-c", script);
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> records = agent.records();
      assertTrue(
          records.stream()
              .anyMatch(
                  r ->
                      "file.rename".equals(r.eventName())
                          && String.valueOf(r.stringAttr("file.path")).contains("renamed-")),
          "the rename was exported");
      assertTrue(
          records.stream().anyMatch(r -> "host.mount".equals(r.eventName())),
          "the mount was exported");
      String exported = Files.readString(dir.resolve("events.jsonl"));
      assertFalse(exported.contains(token), "the token is in no exported field or body");
      assertFalse(exported.contains(token.substring(4)), "nor its tail");
      assertTrue(exported.contains("[REDACTED]"), "it was masked, not dropped");
      assertFalse(agent.stdoutText().contains(token), "nor on the console");
    }
  }

  @Test
  void aPathDeeperThanTheWalkIsMarkedAndNeverExcludedByItsTail() throws Exception {
    // the probes walk 64 components: from the leaf up, the 64th is "run", so the kept tail looks
    // like /run/…, which the default policy excludes; the write must be exported, marked partial
    StringBuilder below = new StringBuilder();
    for (int i = 1; i <= 62; i++) {
      below.append("/b").append(i);
    }
    String tag = "deep-" + System.nanoTime();
    String rel = "a1/a2/a3/a4/a5/a6/a7/a8/a9/a10/run" + below;
    String script = "mkdir -p " + rel + " && : > " + rel + "/" + tag;
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      AgentProcess.run(dir, "/bin/bash", "-c", script);
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> writes =
          agent.records().stream()
              .filter(
                  r ->
                      "file.open".equals(r.eventName())
                          && String.valueOf(r.stringAttr("file.path")).endsWith("/" + tag))
              .toList();
      assertEquals(1, writes.size(), "the deep write is exported");
      ExportedLog w = writes.get(0);
      String path = w.stringAttr("file.path");
      assertTrue(path.startsWith("\u2026/run/b1/b2/"), path);
      assertEquals(true, w.attr("ksec.file.path.truncated"), w.toString());
    }
  }
}
