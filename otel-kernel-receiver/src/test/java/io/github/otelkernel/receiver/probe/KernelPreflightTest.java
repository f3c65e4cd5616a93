package io.github.otelkernel.receiver.probe;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelPreflightTest {
  @Test
  void theHostsPidNamespaceIsAccepted() {
    KernelPreflight.checkInitialPidNamespace(
        Path.of("/proc/self/ns/pid")); // the tests run on the host
  }

  @Test
  void aPidNamespaceOfItsOwnIsRefusedWithTheFix(@TempDir Path dir) throws Exception {
    Path link = Files.createSymbolicLink(dir.resolve("pid"), Path.of("pid:[4026532178]"));
    String m =
        assertThrows(ProbeException.class, () -> KernelPreflight.checkInitialPidNamespace(link))
            .getMessage();
    assertTrue(
        m.contains("pid namespace of its own (pid:[4026532178])") && m.contains("--pid=host"), m);
    assertTrue(m.lines().count() == 1, m);
  }
}
