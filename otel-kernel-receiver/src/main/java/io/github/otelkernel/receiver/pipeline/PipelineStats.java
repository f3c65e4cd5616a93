package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.RecordDecoder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts per stage: records read from the kernel by type, and records a stage failed on (a record a
 * monitored process shaped must never stop the stream: it is counted and the loop goes on). Live
 * counters, written on the poll thread; {@link LossReport} reads them together.
 */
public final class PipelineStats {
  /** Where a record failed. */
  public enum Stage {
    DECODE,
    ENRICH,
    MAP;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final int TYPES = RecordDecoder.EVENT_TYPES;

  final AtomicLongArray received = new AtomicLongArray(TYPES);

  /** Records that failed, by Stage ordinal. */
  final AtomicLongArray failed = new AtomicLongArray(Stage.values().length);

  /** The same, by Stage ordinal * TYPES + type (type 0: not known, a record too short to say). */
  private final AtomicLongArray failedByType = new AtomicLongArray(Stage.values().length * TYPES);

  /**
   * Records the agent emits itself, not read from the kernel (late executable hashes,
   * agent.health).
   */
  final AtomicLong derived = new AtomicLong();

  /** Records shed by the memory limiter, by type. */
  final AtomicLongArray shed = new AtomicLongArray(TYPES);

  public long derived() {
    return derived.get();
  }

  public long received() {
    return sum(received);
  }

  private static long sum(AtomicLongArray a) {
    long n = 0;
    for (int i = 0; i < a.length(); i++) {
      n += a.get(i);
    }
    return n;
  }

  public long received(int type) {
    return received.get(type);
  }

  public long shed() {
    return sum(shed);
  }

  public long shed(int type) {
    return shed.get(type);
  }

  /** Counts one failed record of a type (0 when unknown); returns the stage's count so far. */
  long fail(Stage stage, int type) {
    failedByType.incrementAndGet(stage.ordinal() * TYPES + (type > 0 && type < TYPES ? type : 0));
    return failed.incrementAndGet(stage.ordinal());
  }

  public long failed(Stage stage) {
    return failed.get(stage.ordinal());
  }

  public long failed(Stage stage, int type) {
    return failedByType.get(stage.ordinal() * TYPES + type);
  }

  /** Records that could not be decoded, enriched or mapped: all stages. */
  public long malformed() {
    return sum(failed);
  }
}
