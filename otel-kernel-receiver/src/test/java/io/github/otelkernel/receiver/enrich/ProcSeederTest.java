package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcSeederTest {
  @TempDir Path proc;

  @Test
  void aProcessWhoseReadBlocksIsSkippedAndCountedAndTheOthersArrive() throws Exception {
    for (String pid : List.of("10", "20", "30", "self", "net")) {
      Files.createDirectory(proc.resolve(pid));
    }
    AtomicBoolean release = new AtomicBoolean();
    // pid 20's read blocks the way a read in the kernel does: interrupts do not end it
    var seeder =
        new ProcSeeder(
            proc,
            Duration.ofMillis(200),
            dir -> {
              int pid = Integer.parseInt(dir.getFileName().toString());
              while (pid == 20 && !release.get()) {
                try {
                  Thread.sleep(50);
                } catch (InterruptedException ignored) {
                  // as uninterruptible as a D-state read
                }
              }
              return Optional.of(
                  new ProcessTable.Seed(pid, 1, pid, 100, "p" + pid, "/bin/p", "p", ""));
            });
    try {
      seeder.start();
      List<ProcessTable.Seed> got = new ArrayList<>();
      for (int i = 0; i < 300 && !seeder.done(); i++) { // a hang guard, not a timing assertion
        Thread.sleep(100);
      }
      assertTrue(seeder.done(), "seeding finished despite the blocked read");
      seeder.drain(got::add);
      assertEquals(List.of(10, 30), got.stream().map(ProcessTable.Seed::pid).sorted().toList());
      assertEquals(1, seeder.skipped());
    } finally {
      release.set(true);
      seeder.close();
    }
  }

  @Test
  void aSeedNeverOverridesWhatEventsAlreadySaid() {
    ProcessTable t = new ProcessTable("h", 16, 1_000_000_000L);
    // an exec seen before the seed was applied: pid 7, started at tick 500
    t.onExec(7, 1, 500 * ProcessTable.TICK_NANOS, "/usr/bin/new", List.of("new"), "new");
    // a snapshot of an earlier process with pid 7 (start tick 100) is stale
    assertTrue(!t.apply(new ProcessTable.Seed(7, 1, 0, 100, "old", "/usr/bin/old", "old", "")));
    assertEquals("/usr/bin/new", t.get(7).orElseThrow().executable());
    // one of the same start fills in only what is missing
    assertTrue(t.apply(new ProcessTable.Seed(7, 1, 42, 500, "x", "/usr/bin/x", "x", "")));
    assertEquals("/usr/bin/new", t.get(7).orElseThrow().executable());
    assertEquals(42, t.get(7).orElseThrow().sessionId());
  }
}
