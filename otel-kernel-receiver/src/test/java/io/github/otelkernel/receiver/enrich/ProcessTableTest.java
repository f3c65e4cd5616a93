package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcessTableTest {
  static final long S = 1_000_000_000L;

  @Test
  void pidReuseGivesANewIdentityAndForkInheritsTheParentsProgram() {
    ProcessTable t = new ProcessTable("host", 100, 30 * S);
    var shell = t.onExec(10, 1, 5 * S, "/usr/bin/bash", List.of("bash", "-i"), "bash");
    var child = t.onFork(11, 10, 6 * S, "bash");
    assertEquals("/usr/bin/bash", child.executable());
    assertEquals("bash -i", child.commandLine());
    String id = child.entityId();
    assertEquals(
        id,
        t.onExec(11, 10, 6 * S + 3_000_000, "/usr/bin/curl", List.of("curl"), "curl").entityId(),
        "same process, same identity (tick resolution)");
    t.onExit(11, 6 * S, 7 * S);
    var reused = t.upsert(11, 10, 9 * S);
    assertNotEquals(id, reused.entityId());
    assertEquals(List.of(shell), t.ancestors(reused, 10).subList(0, 1));
  }

  @Test
  void exitedProcessesStayForTheGracePeriodAndTheTableIsBounded() {
    ProcessTable t = new ProcessTable("host", 3, 30 * S);
    t.onExec(1, 0, S, "/sbin/init", List.of("init"), "init");
    t.onExec(2, 1, S, "/a", List.of("a"), "a");
    t.onExit(2, S, 10 * S);
    t.expire(20 * S);
    assertTrue(t.get(2).isPresent(), "within the grace period");
    t.expire(41 * S);
    assertTrue(t.get(2).isEmpty(), "after it");
    t.onExec(3, 1, S, "/b", List.of("b"), "b");
    t.onExec(4, 1, S, "/c", List.of("c"), "c");
    t.onExit(3, S, 50 * S);
    t.onExec(5, 1, S, "/d", List.of("d"), "d"); // full: the exited one goes first
    assertEquals(3, t.size());
    assertTrue(t.get(3).isEmpty());
    assertTrue(t.get(1).isPresent() && t.get(4).isPresent() && t.get(5).isPresent());
    String longLine = "x".repeat(5000);
    assertEquals(
        ProcessTable.MAX_COMMAND_LINE,
        t.onExec(5, 1, S, "/d", List.of(longLine), "d").commandLine().length());
  }

  @Test
  void longCommandLinesAreBoundedInBytesExitedFirstThenNewcomersGoWithoutThem() {
    // the executable, its name (cut once, kept for every record) and the capped command line
    long entry = 2L * ("/bin/x".length() + "x".length() + ProcessTable.MAX_COMMAND_LINE);
    ProcessTable t = new ProcessTable("host", 100_000, 30 * S, 10 * entry);
    String longLine = "y".repeat(8000);
    t.onExec(1, 0, S, "/bin/x", List.of(longLine), "x");
    for (int pid = 2; pid <= 10; pid++) {
      t.onExec(pid, 1, S, "/bin/x", List.of(longLine), "x");
    }
    assertEquals(10 * entry, t.stringBytes(), "ten entries fill the budget exactly");
    t.onExit(2, S, 2 * S);
    var eleventh = t.onExec(11, 1, S, "/bin/x", List.of(longLine), "x");
    assertTrue(t.get(2).isEmpty(), "the exited process made room");
    assertEquals(ProcessTable.MAX_COMMAND_LINE, eleventh.commandLine().length());
    var twelfth = t.onExec(12, 1, S, "/bin/x", List.of(longLine), "x");
    assertEquals("", twelfth.commandLine(), "no room and nothing exited: kept without its strings");
    assertEquals(1, t.contextDropped());
    assertEquals("/bin/x", t.get(1).orElseThrow().executable(), "living processes keep theirs");
    assertEquals("x", t.get(1).orElseThrow().executableName());
    assertEquals("", twelfth.executableName());
    assertEquals(10 * entry, t.stringBytes());
    // an exec replaces what was charged, it does not add to it
    t.onExec(3, 1, S, "/bin/x", List.of("short"), "x");
    assertEquals(
        9 * entry + 2L * ("/bin/x".length() + "x".length() + "short".length()), t.stringBytes());
    t.onExit(3, S, 3 * S);
    t.expire(100 * S);
    assertEquals(9 * entry, t.stringBytes(), "released when the process leaves the table");
  }

  @Test
  void seedsFromProc() {
    ProcessTable t = new ProcessTable("host", 100_000, 30 * S);
    assertTrue(t.seed(Path.of("/proc")) > 1);
    var self = t.get((int) ProcessHandle.current().pid()).orElseThrow();
    assertTrue(self.executable().endsWith("/java"), self.executable());
    assertTrue(self.commandLine().contains("java"));
    assertEquals((int) ProcessHandle.current().parent().orElseThrow().pid(), self.ppid());
  }
}
