package io.github.otelkernel.receiver.pipeline;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The Collector's memory_limiter, at the agent's door: when the heap in use passes the soft limit
 * the low-priority records (process.fork, process.exit by default: the lineage they carry is also
 * in exec records) are shed; past the hard limit every kernel record is, until the heap is back
 * under the soft limit. Shed records are counted per type as lost, so running out of memory is
 * reported instead of ending the agent (the launcher's -XX:+ExitOnOutOfMemoryError would). The heap
 * is read at most every CHECK_NANOS: the event path pays a field read.
 */
public final class MemoryLimiter {
  /** Defaults in the manner of memory_limiter's limit_percentage and spike_limit_percentage. */
  public static final int DEFAULT_LIMIT_PERCENT = 90;

  public static final int DEFAULT_SPIKE_PERCENT = 15;
  static final long CHECK_NANOS = 100_000_000L;

  /** What is admitted now. */
  public enum State {
    ALL,
    HIGH_PRIORITY_ONLY,
    NONE
  }

  private final LongSupplier used;
  private final long soft;
  private final long hard;
  private State state = State.ALL;
  private long checkedAt;
  private boolean checked;

  MemoryLimiter(LongSupplier used, long max, int limitPercent, int spikePercent) {
    if (limitPercent <= 0
        || limitPercent > 100
        || spikePercent < 0
        || spikePercent >= limitPercent) {
      throw new IllegalArgumentException(
          "limit " + limitPercent + "%, spike " + spikePercent + "%");
    }
    this.used = used;
    this.hard = max / 100 * limitPercent;
    this.soft = max / 100 * (limitPercent - spikePercent);
  }

  /**
   * Over this JVM's heap (-Xmx), with the default limits. What counts is the heap in use after the
   * last collection of each pool: live data, not garbage the next collection frees (the heap's
   * plain "used" climbs to the top before every collection and would shed for nothing).
   */
  public static MemoryLimiter forHeap() {
    MemoryMXBean mx = ManagementFactory.getMemoryMXBean();
    long max = mx.getHeapMemoryUsage().getMax();
    if (max <= 0) {
      max = Runtime.getRuntime().maxMemory();
    }
    List<MemoryPoolMXBean> pools =
        ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null)
            .toList();
    return new MemoryLimiter(
        () -> {
          long live = 0;
          for (MemoryPoolMXBean p : pools) {
            live += p.getCollectionUsage().getUsed();
          }
          return live;
        },
        max,
        DEFAULT_LIMIT_PERCENT,
        DEFAULT_SPIKE_PERCENT);
  }

  /** Whether a record of this priority is taken now; on the poll thread. */
  public boolean admit(boolean lowPriority, long nowNanos) {
    if (!checked || nowNanos - checkedAt >= CHECK_NANOS) {
      checked = true;
      checkedAt = nowNanos;
      long u = used.getAsLong();
      // past the hard limit nothing until back under the soft one (hysteresis, as memory_limiter)
      state =
          u >= hard
              ? State.NONE
              : u >= soft
                  ? (state == State.NONE ? State.NONE : State.HIGH_PRIORITY_ONLY)
                  : State.ALL;
    }
    return switch (state) {
      case ALL -> true;
      case HIGH_PRIORITY_ONLY -> !lowPriority;
      case NONE -> false;
    };
  }

  public State state() {
    return state;
  }

  long softLimit() {
    return soft;
  }

  long hardLimit() {
    return hard;
  }
}
