package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.RecordDecoder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counts per stage: records read from the kernel by type, and records a stage failed on (a record
 * a monitored process shaped must never stop the stream: it is counted and the loop goes on).
 */
public final class PipelineStats {
  /** Where a record failed. */
  public enum Stage {
    DECODE, ENRICH, MAP;

    public String key() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  final AtomicLongArray received = new AtomicLongArray(RecordDecoder.EVENT_TYPES);
  /** Records that failed, by Stage ordinal. */
  final AtomicLongArray failed = new AtomicLongArray(Stage.values().length);
  /** Records the agent emits itself, not read from the kernel (late executable hashes, agent.health). */
  final AtomicLong derived = new AtomicLong();

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

  /** Records shed by the memory limiter, by type. */
  final AtomicLongArray shed = new AtomicLongArray(RecordDecoder.EVENT_TYPES);

  public long shed() {
    return sum(shed);
  }

  public long shed(int type) {
    return shed.get(type);
  }

  /** Counts one failed record; returns the stage's count so far. */
  long fail(Stage stage) {
    return failed.incrementAndGet(stage.ordinal());
  }

  public long failed(Stage stage) {
    return failed.get(stage.ordinal());
  }

  /** Records that could not be decoded, enriched or mapped: all stages. */
  public long malformed() {
    return sum(failed);
  }

  /** stage=count for each stage, as agent.health carries them. */
  public java.util.List<String> failedByStage() {
    java.util.List<String> out = new java.util.ArrayList<>();
    for (Stage s : Stage.values()) {
      out.add(s.key() + "=" + failed(s));
    }
    return out;
  }
}
