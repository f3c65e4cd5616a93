package io.github.otelkernel.receiver.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The operator-facing messages for failures that cannot be provoked on a healthy test host. */
class ProbeErrorsTest {
  @Test
  void missingTracepointNamesItAndTheFix() {
    String m = BpfProbes.attachFailure("handle_exec", "tp/sched/sched_process_exec", 2);
    assertEquals(1, m.lines().count());
    assertTrue(
        m.startsWith(
            "cannot attach probe handle_exec (tp/sched/sched_process_exec): No such file or directory"),
        m);
    assertTrue(m.contains("sched/sched_process_exec") && m.contains("tracefs"), m);
  }

  @Test
  void permissionDeniedSaysRunAsRoot() {
    String m = BpfProbes.attachFailure("handle_exit", "raw_tp/sched_process_exit", 1);
    assertTrue(m.contains("run as root"), m);
  }

  @Test
  void libcErrorStringsComeFromTheSystem() {
    assertEquals("Operation not permitted", Libc.strerror(1));
  }
}
