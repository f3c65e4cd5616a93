package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent in front of a real OpenTelemetry Collector (otlp receiver → file exporter). */
class CollectorExportIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  static String otlp(String id, String endpoint, String extra) {
    return """
        %s:
          endpoint: "%s"
          tls: {insecure: true}
          retry_on_failure: {initial_interval: 1s, max_interval: 2s, max_elapsed_time: 0s}
        %s"""
        .formatted(id, endpoint, extra.indent(2));
  }

  static Predicate<ExportedLog> taggedExec(String tag) {
    return r -> "process.exec".equals(r.eventName()) && r.args() != null && r.args().contains(tag);
  }

  static void awaitTrue(String what, java.util.concurrent.Callable<Boolean> check)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (check.call()) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what);
  }

  /** (event, time, pid) → count: what a record is, independent of its route. */
  static Map<String, Long> identities(List<ExportedLog> logs) {
    return logs.stream()
        .collect(
            Collectors.groupingBy(
                r -> r.eventName() + "@" + r.timeUnixNano() + "#" + r.attr("process.pid"),
                Collectors.counting()));
  }

  @Test
  void everyEventArrivesIntactOverGrpcAndHttpWithAgentMetrics() throws Exception {
    try (CollectorProcess collector =
        new CollectorProcess(dir, "file-sink.yaml", Map.of()).start()) {
      String tag = "otlp-" + System.nanoTime();
      try (AgentProcess agent =
          AgentProcess.startWith(
              dir,
              otlp("otlp", "127.0.0.1:" + collector.grpcPort, "")
                  + otlp("otlphttp", "http://127.0.0.1:" + collector.httpPort, ""),
              "",
              List.of("otlp", "otlphttp"),
              List.of())) {
        AgentProcess.run(
            dir, "/bin/sh", "-c", "/bin/echo " + tag + " 'a b' \"$(printf 'x\\ny')\"; exit 5");
        Thread.sleep(1500); // one metrics interval
        assertEquals(0, agent.stop(), agent.stderrText());

        List<ExportedLog> local = agent.records();
        List<ExportedLog> received = collector.logs();
        // every record the agent produced arrived once per protocol, nothing else arrived
        Map<String, Long> expected = new HashMap<>();
        identities(local).forEach((k, v) -> expected.put(k, v * 2));
        assertEquals(expected, identities(received));
        assertEquals(
            local.size(),
            agent.summaryCount("received")
                + agent.summaryCount("derived")
                - agent.summaryCount("merged"));

        ExportedLog sent = local.stream().filter(taggedExec(tag)).findFirst().orElseThrow();
        List<ExportedLog> arrived = received.stream().filter(taggedExec(tag)).toList();
        assertEquals(2, arrived.size());
        for (ExportedLog r : arrived) {
          assertEquals(sent.attributes(), r.attributes());
          assertEquals(sent.body(), r.body());
          assertEquals(List.of("/bin/echo", tag, "a b", "x\ny"), r.args());
          assertEquals("otel-kernel-receiver", r.resource().get("service.name"));
          assertEquals(sent.resource().get("host.name"), r.resource().get("host.name"));
          assertTrue(!r.attributes().containsKey("host.name"));
        }
        String metrics = collector.metricsText();
        assertTrue(metrics.contains("ksec.agent.events.received"), metrics);
        assertTrue(metrics.contains("ksec.agent.events.exported"), metrics);
        assertTrue(metrics.contains("ksec.agent.events.lost"), metrics);
      }
    }
  }

  /**
   * Batches over the Collector's message limit (here 1 MiB) are split until they fit: without that,
   * the same batch is refused for ever and everything queued behind it is lost.
   */
  @Test
  void batchesOverTheCollectorsMessageLimitAreSplitNotLost() throws Exception {
    String tag = "big-" + System.nanoTime();
    try (CollectorProcess collector =
            new CollectorProcess(dir, "file-sink-small.yaml", Map.of()).start();
        AgentProcess agent =
            AgentProcess.startWith(
                dir,
                "\n    policy: {events: {file.read: {include: [\""
                    + dir
                    + "/big-\"], aggregate: 0s}}}",
                otlp("otlp", "127.0.0.1:" + collector.grpcPort, ""),
                "",
                List.of("otlp"),
                List.of(),
                "batch: {send_batch_size: 4096, timeout: 2s}")) {
      Path file = dir.resolve(tag);
      Files.writeString(file, "x");
      // 3000 opens in a burst: one batch of ~3000 records of ~3 KiB, several MiB on the wire
      AgentProcess.run(
          dir,
          "python3",
          "-c",
          "import sys\nfor i in range(3000): open(sys.argv[1]).close()",
          file.toString());
      assertEquals(0, agent.stop(), agent.stderrText());
      long arrived =
          collector.logs().stream()
              .filter(r -> file.toString().equals(r.attr("file.path")))
              .count();
      long sent =
          agent.records().stream().filter(r -> file.toString().equals(r.attr("file.path"))).count();
      assertTrue(sent >= 3000, "the agent saw the burst: " + sent);
      assertEquals(sent, arrived, agent.stderrText());
      assertEquals(0, agent.summaryCount("failed", "otlp"));
    }
  }

  @Test
  void collectorDownFor30sDuringAStreamLosesNothing() throws Exception {
    Path spool = Files.createDirectories(dir.resolve("spool"));
    String tag = "stream-" + System.nanoTime();
    Path count = dir.resolve("count");
    try (CollectorProcess collector =
            new CollectorProcess(dir, "file-sink.yaml", Map.of()).start();
        AgentProcess agent =
            AgentProcess.startWith(
                dir,
                otlp(
                    "otlp",
                    "127.0.0.1:" + collector.grpcPort,
                    "sending_queue: {storage: file_storage}"),
                "file_storage: {directory: " + spool + ", max_size_mib: 256}",
                List.of("otlp"),
                List.of("file_storage"))) {
      // a steady stream of tagged processes for ~45 s
      Process stream =
          new ProcessBuilder(
                  "/bin/sh",
                  "-c",
                  "i=0; end=$(($(date +%s) + 45)); while [ $(date +%s) -lt $end ]; do /bin/true "
                      + tag
                      + " $i; i=$((i+1)); sleep 0.05; done; echo $i > "
                      + count)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      Thread.sleep(5_000);
      collector.stop();
      Thread.sleep(30_000);
      collector.start();
      assertTrue(stream.waitFor(120, TimeUnit.SECONDS));
      long produced = Long.parseLong(Files.readString(count).trim());
      // the agent drains its queue to the Collector before it exits
      assertEquals(0, agent.stop(), agent.stderrText());
      collector.stop();

      List<ExportedLog> received = collector.logs();
      Map<String, Long> taggedIdentities =
          identities(received.stream().filter(taggedExec(tag)).toList());
      assertEquals(produced, taggedIdentities.size(), "every tagged exec arrived");
      assertTrue(taggedIdentities.values().stream().allMatch(n -> n == 1), "and exactly once");

      long exported = agent.summaryCount("exported", "otlp");
      long lost =
          agent.summaryCount("failed", "otlp")
              + agent.summaryCount("dropped", "otlp")
              + agent.summaryCount("spooled", "otlp")
              + agent.summaryCount("queue_dropped");
      assertEquals(
          exported,
          received.size(),
          "the Collector got exactly what the agent counts as delivered");
      assertEquals(
          agent.summaryCount("received") + agent.summaryCount("derived"),
          exported + lost + agent.summaryCount("merged"),
          "delivered + counted lost + merged = produced");
      assertTrue(agent.stderrText().contains("exporter otlp: cannot deliver"), agent.stderrText());
      assertTrue(
          agent.stderrText().contains("exporter otlp: delivering again"), agent.stderrText());
    }
  }

  @Test
  void unreachableAtStartWarnsOnceThenDeliversWhenTheCollectorComesUp() throws Exception {
    String tag = "late-" + System.nanoTime();
    CollectorProcess collector = new CollectorProcess(dir, "file-sink.yaml", Map.of());
    try (collector;
        AgentProcess agent =
            AgentProcess.startWith(
                dir,
                otlp("otlp", "127.0.0.1:" + collector.grpcPort, ""),
                "",
                List.of("otlp"),
                List.of())) {
      AgentProcess.run(dir, "/bin/echo", tag);
      awaitTrue("a warning", () -> agent.stderrText().contains("exporter otlp: cannot deliver"));
      Thread.sleep(5_000); // several retries, still one warning in this interval
      assertEquals(
          1,
          agent.stderrText().lines().filter(l -> l.contains("cannot deliver")).count(),
          agent.stderrText());
      collector.start();
      awaitTrue(
          "the tagged exec at the Collector",
          () -> collector.logs().stream().anyMatch(taggedExec(tag)));
      assertEquals(0, agent.stop());
      assertEquals(0, agent.summaryCount("failed", "otlp"));
    }
  }

  @Test
  void mutualTlsWithWrongCaReportsTheTlsErrorKeepsTheQueueAndResumes() throws Exception {
    Path pki = Files.createDirectories(dir.resolve("pki"));
    TestPki.create(pki);
    String tag = "mtls-" + System.nanoTime();
    Map<String, String> serverA =
        Map.of(
            "TLS_CERT",
            pki.resolve("serverA.pem").toString(),
            "TLS_KEY",
            pki.resolve("serverA.key").toString(),
            "TLS_CLIENT_CA",
            pki.resolve("caA.pem").toString());
    try (CollectorProcess collector =
            new CollectorProcess(dir, "file-sink-mtls.yaml", serverA).start();
        // the agent trusts CA B, but the Collector's certificate is signed by CA A
        AgentProcess agent =
            AgentProcess.startWith(
                dir,
                """
            otlp:
              endpoint: "127.0.0.1:%d"
              tls: {ca_file: %s, cert_file: %s, key_file: %s}
              retry_on_failure: {initial_interval: 1s, max_interval: 2s, max_elapsed_time: 0s}
            """
                    .formatted(
                        collector.grpcPort,
                        pki.resolve("caB.pem"),
                        pki.resolve("client.pem"),
                        pki.resolve("client.key")),
                "",
                List.of("otlp"),
                List.of())) {
      AgentProcess.run(dir, "/bin/echo", tag);
      awaitTrue("a TLS error", () -> agent.stderrText().contains("exporter otlp: cannot deliver"));
      String warning =
          agent
              .stderrText()
              .lines()
              .filter(l -> l.contains("cannot deliver"))
              .findFirst()
              .orElseThrow();
      assertTrue(warning.matches("(?i).*(ssl|tls|certificate|handshake|PKIX).*"), warning);
      assertTrue(collector.logs().isEmpty());

      // fix: the Collector now presents a certificate from the CA the agent trusts
      collector.stop();
      Map<String, String> serverB = new HashMap<>(serverA);
      serverB.put("TLS_CERT", pki.resolve("serverB.pem").toString());
      serverB.put("TLS_KEY", pki.resolve("serverB.key").toString());
      try (CollectorProcess fixed =
          new CollectorProcess(dir, "file-sink-mtls.yaml", serverB).onPorts(collector).start()) {
        awaitTrue("delivery after the fix", () -> fixed.logs().stream().anyMatch(taggedExec(tag)));
        assertEquals(0, agent.stop());
        assertEquals(0, agent.summaryCount("failed", "otlp"));
      }
    }
  }
}
