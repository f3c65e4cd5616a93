package io.github.otelkernel.receiver.export.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SysEventContextTest {
  @Test
  void aTimeAProcessForgedOutOfRangeIsShownNotThrownOn() {
    assertEquals("2023-11-14T22:13:20.000000005Z", SysEventContext.iso(1_700_000_000L, 5));
    // utimensat and clock_settime records carry any 64-bit values: out of range, and overflowing
    assertEquals(Long.MAX_VALUE + "." + 0, SysEventContext.iso(Long.MAX_VALUE, 0));
    assertEquals(
        Long.MAX_VALUE + "." + Long.MAX_VALUE, SysEventContext.iso(Long.MAX_VALUE, Long.MAX_VALUE));
  }
}
