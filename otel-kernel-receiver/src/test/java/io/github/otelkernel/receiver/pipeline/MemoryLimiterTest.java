package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryLimiterTest {
  private final AtomicLong used = new AtomicLong();
  private final MemoryLimiter l = new MemoryLimiter(used::get, 1000, 90, 15);
  private long now;

  private boolean admit(boolean low) {
    now += MemoryLimiter.CHECK_NANOS;
    return l.admit(low, now);
  }

  @Test
  void shedsLowPriorityPastTheSoftLimitAndEverythingPastTheHardOne() {
    used.set(500);
    assertTrue(admit(true));
    used.set(800); // soft limit: 75 % of 1000
    assertFalse(admit(true));
    assertTrue(admit(false));
    used.set(950);
    assertFalse(admit(false));
    assertEquals(MemoryLimiter.State.NONE, l.state());
    // back between the limits: still nothing until under the soft limit (no flapping at the hard
    // one)
    used.set(850);
    assertFalse(admit(false));
    used.set(700);
    assertTrue(admit(true));
  }

  @Test
  void theHeapIsReadAtMostOncePerCheckInterval() {
    AtomicLong reads = new AtomicLong();
    MemoryLimiter counting =
        new MemoryLimiter(
            () -> {
              reads.incrementAndGet();
              return 0;
            },
            1000,
            90,
            15);
    for (int i = 0; i < 1000; i++) {
      counting.admit(false, i);
    }
    assertEquals(1, reads.get());
  }

  @Test
  void limitsAreValidated() {
    assertThrows(IllegalArgumentException.class, () -> new MemoryLimiter(used::get, 1000, 90, 95));
    assertThrows(IllegalArgumentException.class, () -> new MemoryLimiter(used::get, 1000, 0, 0));
  }

  @Test
  void overTheRealHeap() {
    MemoryLimiter heap = MemoryLimiter.forHeap();
    assertTrue(heap.hardLimit() > heap.softLimit() && heap.softLimit() > 0);
    assertTrue(heap.admit(false, 0), "a test JVM is not at its heap limit");
  }
}
