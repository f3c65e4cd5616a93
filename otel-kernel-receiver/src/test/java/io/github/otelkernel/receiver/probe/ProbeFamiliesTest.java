package io.github.otelkernel.receiver.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeFamiliesTest {
  @Test
  void tracepointsCountByCategoryOtherProgramsByTypeLargestFirst() {
    assertEquals(
        "tp/syscalls 3, raw_tp 2, tp/sched 1",
        ProbeFamilies.summary(
            List.of(
                "tp/sched/sched_process_exec",
                "raw_tp/sched_process_fork",
                "tp/syscalls/sys_enter_setuid",
                "tp/syscalls/sys_exit_setuid",
                "raw_tp/sys_exit",
                "tp/syscalls/sys_enter_openat")));
    assertEquals("", ProbeFamilies.summary(List.of()));
  }
}
