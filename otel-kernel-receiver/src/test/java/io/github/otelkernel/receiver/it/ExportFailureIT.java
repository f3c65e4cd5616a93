package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unreachable OTLP endpoint: the agent keeps running, says so in one line, and counts the loss.
 */
class ExportFailureIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void unreachableCollectorIsReportedAndCountedWhileOtherExportersDeliver() throws Exception {
    int deadPort = AgentProcess.freePort(); // nothing listens there
    int healthPort = AgentProcess.freePort();
    Path out = dir.resolve("events.jsonl");
    Path cfg = dir.resolve("agent.yaml");
    Files.writeString(
        cfg,
        """
        receivers: {ebpf: {}}
        processors: {batch: {timeout: 100ms}}
        exporters:
          file: {path: %s}
          otlp: {endpoint: "127.0.0.1:%d", tls: {insecure: true}, timeout: 2s}
        extensions: {health_check: {endpoint: "127.0.0.1:%d"}}
        service:
          extensions: [health_check]
          pipelines: {logs: {receivers: [ebpf], processors: [batch], exporters: [file, otlp]}}
        """
            .formatted(out, deadPort, healthPort));
    Process agent = AgentProcess.command(dir, "--config", cfg.toString()).start();
    try {
      // the agent runs although its collector is unreachable
      AgentProcess.awaitHealthy(agent, healthPort, dir.resolve("agent.stderr"));
      AgentProcess.run(dir, "/bin/sh", "-c", "exit 3");
      agent.destroy();
      assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, agent.exitValue());
    } finally {
      agent.destroyForcibly();
    }
    String stderr = Files.readString(dir.resolve("agent.stderr"));
    // one line per message, no stack traces
    for (String line : stderr.lines().toList()) {
      assertTrue(
          line.matches("^\\d{4}-\\d\\d-\\d\\dT\\S+Z (INFO |WARN |ERROR) .*"),
          () -> "not a log line: " + line);
    }
    assertTrue(stderr.contains("exporter otlp: cannot deliver"), stderr);
    assertEquals(
        1,
        stderr.lines().filter(l -> l.contains("cannot deliver")).count(),
        "warned once per interval: " + stderr);
    String summary = stderr.lines().filter(l -> l.contains("stopped: ")).findFirst().orElseThrow();
    // kernel records plus the agent's own (late hashes, agent.health), less repeats merged into
    // another record: everything that entered the exporters
    long received =
        count(summary, "received") + count(summary, "derived") - count(summary, "merged");
    long fileExported = count(summary.substring(summary.indexOf("file:")), "exported");
    long otlpFailed = count(summary.substring(summary.indexOf("otlp:")), "failed");
    long otlpExported = count(summary.substring(summary.indexOf("otlp:")), "exported");
    assertTrue(received >= 3, summary);
    assertEquals(received, fileExported, summary);
    assertEquals(0, otlpExported, summary);
    assertEquals(
        received,
        otlpFailed,
        "every record the otlp exporter could not send is counted: " + summary);
    assertEquals(received, ExportedLog.readOtlpJsonLines(out).size());
  }

  private static long count(String text, String key) {
    var m = java.util.regex.Pattern.compile("\\b" + key + "=(\\d+)").matcher(text);
    assertTrue(m.find(), key + " in " + text);
    return Long.parseLong(m.group(1));
  }

  /**
   * A file exporter on a full file system (a 64 KiB tmpfs): the batches that do not fit are counted
   * as failed, every line that is there is whole, and the other exporter gets everything.
   */
  @Test
  void aFullDiskCountsWhatItLosesAndNeverTearsALine() throws Exception {
    Path full = Files.createDirectories(dir.resolve("full"));
    assertEquals(
        0,
        new ProcessBuilder(
                "mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "ksec-full", full.toString())
            .inheritIO()
            .start()
            .waitFor(),
        "mount a small tmpfs");
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir,
            "file/full: {path: " + full.resolve("events.jsonl") + "}",
            "",
            java.util.List.of("file/full"),
            java.util.List.of())) {
      String tag = "fill-" + System.nanoTime();
      AgentProcess.run(
          dir, "/bin/bash", "-c", "for i in $(seq 300); do /bin/true " + tag + " $i; done");
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      long failed = agent.summaryCount("failed", "file/full");
      long written = agent.summaryCount("exported", "file/full");
      assertTrue(failed > 0, "the full disk was counted: " + agent.stderrText());
      assertEquals(
          agent.summaryCount("exported", "file"),
          written + failed,
          "every record is written or counted");
      String text = Files.readString(full.resolve("events.jsonl"));
      assertTrue(text.isEmpty() || text.endsWith("\n"), "no torn last line");
      com.fasterxml.jackson.databind.ObjectMapper json =
          new com.fasterxml.jackson.databind.ObjectMapper();
      for (String line : text.lines().toList()) {
        assertTrue(json.readTree(line).has("resourceLogs"), "a whole OTLP/JSON line: " + line);
      }
      assertEquals(
          300,
          agent.records().stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().contains(tag))
              .count(),
          "the other exporter got every exec");
      assertTrue(agent.stderrText().contains("No space left on device"), agent.stderrText());
    } finally {
      AgentProcess.run(dir, "umount", "-l", full.toString());
    }
  }
}
