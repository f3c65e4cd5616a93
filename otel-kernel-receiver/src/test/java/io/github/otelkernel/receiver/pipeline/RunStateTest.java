package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStateTest {
  @Test
  void aRunThatEndsWithoutStoppingIsFoundByTheNextOne(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    RunState first = RunState.open(state);
    assertTrue(first.previous().isEmpty(), "nothing before the first run");
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state)));
    first.alive(42);
    first.close(); // the lock goes, as when the process dies; no "stopped"

    RunState second = RunState.open(state);
    var unclean = second.previous().orElseThrow();
    assertEquals(42, unclean.received());
    assertEquals(ProcessHandle.current().pid(), unclean.pid());
    assertTrue(!unclean.lastSeen().isBefore(unclean.started()));
    second.reported(); // as the agent does once a health record carried it
    second.stopped(7);

    RunState third = RunState.open(state);
    assertTrue(third.previous().isEmpty(), "a clean stop leaves nothing to report");
    third.stopped(0);
  }

  @Test
  void anUncleanStopStaysNotedUntilAHealthRecordReportsIt(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    RunState crashed = RunState.open(state);
    crashed.alive(5);
    crashed.close(); // killed
    RunState failedStart = RunState.open(state);
    java.time.Instant gap = failedStart.previous().orElseThrow().lastSeen();
    failedStart.stopped(0); // a start that failed before any health record
    RunState next = RunState.open(state);
    assertEquals(
        gap,
        next.previous().orElseThrow().lastSeen(),
        "the gap is still reported, from where it began");
    next.reported();
    next.stopped(0);
    assertTrue(RunState.open(state).previous().isEmpty(), "reported once: not again");
  }

  @Test
  void aDirectoryInUseOrOpenToOthersIsRefused(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    RunState holder = RunState.open(state);
    assertThrows(RuntimeException.class, () -> RunState.open(state), "locked by a running agent");
    holder.stopped(0);
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThrows(java.io.IOException.class, () -> RunState.open(shared));
  }

  @Test
  void anUnreadableStateFileIsNoReport(@TempDir Path dir) throws Exception {
    Path state = Files.createDirectories(dir.resolve("state"));
    Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(state.resolve(RunState.FILE), "state=running\nstarted=yesterday\n");
    RunState s = RunState.open(state);
    assertTrue(s.previous().isEmpty());
    s.stopped(0);
  }
}
