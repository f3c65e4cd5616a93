package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** SIGHUP recompiles the policy into the running probes: behaviour changes without a restart. */
class PolicyReloadIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void sighupTurnsAnEventTypeOnWithoutRestarting() throws Exception {
    Path work = Files.createDirectories(dir.resolve("work"));
    for (String f : List.of("before", "after", "bad")) {
      Files.writeString(work.resolve(f), f);
    }
    try (AgentProcess agent =
        AgentProcess.startWithPolicy(dir, "events: {file.unlink: {enabled: false}}")) {
      long pid = agent.pid();
      AgentProcess.run(work, "rm", "before");
      Path cfg = dir.resolve("agent.yaml");
      String original = Files.readString(cfg);
      // a broken file first: the running policy stays
      Files.writeString(cfg, original.replace("enabled: false", "enabled: maybe"));
      AgentProcess.run(work, "kill", "-HUP", Long.toString(pid));
      awaitStderr(agent, "reload failed");
      AgentProcess.run(work, "rm", "bad");
      Files.writeString(cfg, original.replace("enabled: false", "enabled: true"));
      AgentProcess.run(work, "kill", "-HUP", Long.toString(pid));
      awaitStderr(agent, "reloaded the policy");
      AgentProcess.run(work, "rm", "after");
      Thread.sleep(1000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<String> unlinked =
          agent.records().stream()
              .filter(r -> "file.unlink".equals(r.eventName()))
              .map(r -> (String) r.attr("file.path"))
              .filter(p -> p.startsWith(work.toString()))
              .toList();
      assertEquals(List.of(work.resolve("after").toString()), unlinked);
      assertEquals(pid, agent.pid(), "same process: not restarted");
    }
  }

  private static void awaitStderr(AgentProcess agent, String text) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (agent.stderrText().contains(text)) {
        return;
      }
      Thread.sleep(100);
    }
    assertTrue(agent.stderrText().contains(text), "no '" + text + "' in " + agent.stderrText());
  }
}
