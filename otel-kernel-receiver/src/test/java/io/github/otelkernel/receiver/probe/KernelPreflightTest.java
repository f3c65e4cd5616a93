package io.github.otelkernel.receiver.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelPreflightTest {
  @Test
  void theHostsPidNamespaceIsAccepted() {
    // the tests run on the host
    assertEquals(
        Optional.empty(), KernelPreflight.pidNamespaceProblem(Path.of("/proc/self/ns/pid")));
  }

  @Test
  void aPidNamespaceOfItsOwnIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("pid"), Path.of("pid:[4026532178]"));
    String m = KernelPreflight.pidNamespaceProblem(link).orElseThrow();
    assertTrue(
        m.contains("pid namespace of its own (pid:[4026532178])") && m.contains("--pid=host"), m);
    assertTrue(m.lines().count() == 1, m);
  }

  @Test
  void lockdownIsReadFromTheBracketedMode(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("lockdown"), "none [integrity] confidentiality\n");
    assertEquals(Optional.of("integrity"), KernelPreflight.lockdownMode(f));
    assertEquals(Optional.empty(), KernelPreflight.lockdownProblem(f));
    assertEquals(Optional.empty(), KernelPreflight.lockdownMode(dir.resolve("absent")));
  }

  @Test
  void confidentialityLockdownIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
    Path f = Files.writeString(dir.resolve("lockdown"), "none integrity [confidentiality]\n");
    String m = KernelPreflight.lockdownProblem(f).orElseThrow();
    assertTrue(m.contains("confidentiality") && m.contains("lockdown=integrity"), m);
    assertTrue(m.lines().count() == 1, m);
  }
}
