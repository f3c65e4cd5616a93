package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A burst of short processes: every one is reported, and the kernel lost nothing. */
class BurstIT {
  static final int N = 2000;

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void burstOf2000ProcessesGivesEveryExecAndExit() throws Exception {
    String tag = "burst-" + System.nanoTime();
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      long shellPid =
          AgentProcess.run(
              dir,
              "/bin/sh",
              "-c",
              "i=0; while [ $i -lt " + N + " ]; do /bin/true " + tag + " $i; i=$((i+1)); done");
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> records = agent.records();

      Set<Long> execPids = new HashSet<>();
      Set<String> indexes = new HashSet<>();
      for (ExportedLog r : records) {
        if ("process.exec".equals(r.eventName())
            && r.args() != null
            && r.args().size() == 3
            && r.args().get(1).equals(tag)) {
          execPids.add(r.longAttr("process.pid"));
          indexes.add(r.args().get(2));
          assertEquals(shellPid, r.longAttr("process.parent_pid"));
        }
      }
      assertEquals(N, indexes.size(), "distinct tagged execs");
      assertEquals(N, execPids.size(), "distinct pids");
      long exits =
          records.stream()
              .filter(
                  r ->
                      "process.exit".equals(r.eventName())
                          && execPids.contains((Long) r.attr("process.pid")))
              .count();
      assertEquals(N, exits, "exits of the tagged processes");
      long forks =
          records.stream()
              .filter(
                  r ->
                      "process.fork".equals(r.eventName())
                          && shellPid == (Long) r.attr("process.parent_pid"))
              .count();
      assertEquals(N, forks, "forks by the shell");
      assertEquals(0, agent.summaryCount("kernel_lost"), agent.stderrText());
      assertEquals(0, agent.summaryCount("queue_dropped"), agent.stderrText());
    }
  }
}
