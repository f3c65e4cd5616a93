package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed without a clean stop is reported by the next start, in its log and in its data.
 */
class UncleanStopIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void aKilledRunIsReportedAtTheNextStartAndACleanOneIsNot() throws Exception {
    Path state = dir.resolve("state");
    String receiver = "\n    health_interval: 1s\n    state_directory: " + state;
    Instant before = Instant.now();
    try (AgentProcess first =
        AgentProcess.startWith(
            Files.createDirectories(dir.resolve("first")),
            receiver,
            "",
            "",
            List.of(),
            List.of(),
            "batch: {timeout: 100ms}")) {
      for (int i = 0; i < 5; i++) {
        AgentProcess.run(dir, "/bin/true"); // something to have received
      }
      Thread.sleep(3_000); // health records: each notes the run as alive, with what it received
      first.kill();
    }
    Instant killed = Instant.now();

    List<ExportedLog> second;
    try (AgentProcess agent =
        AgentProcess.startWith(
            Files.createDirectories(dir.resolve("second")),
            receiver,
            "",
            "",
            List.of(),
            List.of(),
            "batch: {timeout: 100ms}")) {
      Thread.sleep(500);
      assertEquals(0, agent.stop(), agent.stderrText());
      assertTrue(agent.stderrText().contains("did not stop cleanly"), agent.stderrText());
      second = agent.records();
    }
    List<ExportedLog> reports =
        second.stream()
            .filter(
                r ->
                    "agent.health".equals(r.eventName())
                        && Boolean.TRUE.equals(r.attr("ksec.agent.previous_run.unclean")))
            .toList();
    assertEquals(1, reports.size(), "reported once, at the start: " + second);
    ExportedLog report = reports.get(0);
    Instant lastSeen = Instant.parse(report.stringAttr("ksec.agent.previous_run.last_seen"));
    assertTrue(
        !lastSeen.isBefore(before) && !lastSeen.isAfter(killed),
        lastSeen + " within the first run");
    assertTrue(
        ((Number) report.attr("ksec.agent.previous_run.received")).longValue() > 0,
        report.toString());
    assertTrue(report.body().contains("the previous run did not stop cleanly"), report.body());

    // that run stopped cleanly: the next start has nothing to report
    try (AgentProcess third =
        AgentProcess.startWith(
            Files.createDirectories(dir.resolve("third")),
            receiver,
            "",
            "",
            List.of(),
            List.of(),
            "batch: {timeout: 100ms}")) {
      Thread.sleep(500);
      assertEquals(0, third.stop(), third.stderrText());
      assertFalse(third.stderrText().contains("did not stop cleanly"), third.stderrText());
      assertTrue(
          third.records().stream()
              .noneMatch(r -> r.attr("ksec.agent.previous_run.unclean") != null));
    }
  }
}
