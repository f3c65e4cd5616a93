package io.github.otelkernel.receiver.export.retry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  @Test
  void waitsDoubleUpToTheMaximum() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    Duration d = p.initialInterval();
    assertEquals(Duration.ofSeconds(5), d);
    d = p.nextInterval(d);
    assertEquals(Duration.ofSeconds(10), d);
    d = p.nextInterval(d);
    assertEquals(Duration.ofSeconds(20), d);
    d = p.nextInterval(d);
    assertEquals(Duration.ofSeconds(30), d, "capped at max_interval");
    assertEquals(Duration.ofSeconds(30), p.nextInterval(d));
  }

  @Test
  void aHugeMaximumDoesNotOverflow() {
    RetryPolicy p =
        new RetryPolicy(
            true, Duration.ofSeconds(1), Duration.ofSeconds(Long.MAX_VALUE), Duration.ZERO);
    assertEquals(
        Duration.ofSeconds(Long.MAX_VALUE), p.nextInterval(Duration.ofSeconds(Long.MAX_VALUE)));
  }

  @Test
  void givesUpAfterMaxElapsedOrAtOnceWhenDisabled() {
    RetryPolicy p = RetryPolicy.DEFAULT;
    assertFalse(p.givesUp(Duration.ofMinutes(5)));
    assertTrue(p.givesUp(Duration.ofMinutes(5).plusNanos(1)));
    RetryPolicy forever =
        new RetryPolicy(true, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
    assertFalse(forever.givesUp(Duration.ofDays(365)), "max_elapsed_time 0s retries for ever");
    RetryPolicy off =
        new RetryPolicy(false, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ZERO);
    assertTrue(off.givesUp(Duration.ZERO));
  }

  @Test
  void refusesSettingsThatWouldSpinOrNeverGrow() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(true, Duration.ZERO, Duration.ofSeconds(1), Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetryPolicy(true, Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new RetryPolicy(
                true, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(-1)));
    assertThrows(
        NullPointerException.class,
        () -> new RetryPolicy(true, null, Duration.ofSeconds(1), Duration.ZERO));
  }
}
