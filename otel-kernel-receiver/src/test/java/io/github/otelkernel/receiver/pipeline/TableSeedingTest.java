package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.enrich.ProcessTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableSeedingTest {
  /** The test's thread plays the poll thread: drains until the start-up may go on. */
  private static void drainUntilDone(TableSeeding s) {
    for (int i = 0;
        i < 3000 && !s.await(Duration.ZERO);
        i++) { // a hang guard, not a timing assertion
      s.drain();
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void theProcessesAlreadyRunningReachTheTableOnTheDrainingThread() {
    List<ProcessTable.Seed> seeds = new ArrayList<>();
    List<String> threads = new ArrayList<>();
    try (TableSeeding s =
        new TableSeeding(
            Path.of("/proc"),
            Duration.ofSeconds(5),
            seed -> {
              threads.add(Thread.currentThread().getName());
              return seeds.add(seed);
            })) {
      s.drain(); // before start: nothing to do
      assertFalse(s.await(Duration.ZERO), "not done before it started");
      s.start();
      drainUntilDone(s);
      assertTrue(s.await(Duration.ZERO));
    }
    long self = ProcessHandle.current().pid();
    assertTrue(seeds.stream().anyMatch(x -> x.pid() == self), "this JVM is among them");
    assertTrue(
        threads.stream().allMatch(Thread.currentThread().getName()::equals),
        "applied where drained");
  }

  @Test
  void anEmptyProcIsDoneAtOnce(@TempDir Path proc) throws Exception {
    Files.createDirectory(proc.resolve("self")); // not a process
    try (TableSeeding s = new TableSeeding(proc, Duration.ofSeconds(1), seed -> true)) {
      s.start();
      drainUntilDone(s);
      assertTrue(s.await(Duration.ZERO));
      assertEquals(0, s.skipped());
    }
  }
}
