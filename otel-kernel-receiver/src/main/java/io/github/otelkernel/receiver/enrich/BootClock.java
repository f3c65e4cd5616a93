package io.github.otelkernel.receiver.enrich;

import io.github.otelkernel.receiver.probe.Libc;

/**
 * Converts the kernel's boot-clock timestamps (bpf_ktime_get_boot_ns, which counts through suspend)
 * into wall-clock epoch nanoseconds. The offset between the two clocks moves when the wall clock is
 * set or slewed, so it is re-measured on every {@link #refresh()} (the poll loop calls it once per
 * poll) rather than fixed at start-up.
 */
public final class BootClock {
  private volatile long offsetNanos;
  private final boolean fixed;

  public BootClock() {
    fixed = false;
    refresh();
  }

  private BootClock(long offsetNanos) {
    this.fixed = true;
    this.offsetNanos = offsetNanos;
  }

  /**
   * A clock whose offset stays as given: to map recorded events the same way every time (tests).
   */
  public static BootClock withOffset(long offsetNanos) {
    return new BootClock(offsetNanos);
  }

  /** Samples both clocks; the tightest of three brackets limits the error to a few hundred ns. */
  public void refresh() {
    if (fixed) {
      return;
    }
    long best = Long.MAX_VALUE;
    long offset = 0;
    for (int i = 0; i < 3; i++) {
      long b1 = Libc.clockNanos(Libc.CLOCK_BOOTTIME);
      long wall = Libc.clockNanos(Libc.CLOCK_REALTIME);
      long b2 = Libc.clockNanos(Libc.CLOCK_BOOTTIME);
      if (b2 - b1 < best) {
        best = b2 - b1;
        offset = wall - (b1 + (b2 - b1) / 2);
      }
    }
    offsetNanos = offset;
  }

  public long toEpochNanos(long bootNanos) {
    return bootNanos + offsetNanos;
  }

  public long bootNanosNow() {
    return Libc.clockNanos(Libc.CLOCK_BOOTTIME);
  }
}
