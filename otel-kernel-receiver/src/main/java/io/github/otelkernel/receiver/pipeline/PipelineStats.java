package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.RecordDecoder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counts per stage: records read from the kernel by type, and records that could not be decoded. */
public final class PipelineStats {
  final AtomicLongArray received = new AtomicLongArray(RecordDecoder.EVENT_TYPES);
  final AtomicLong malformed = new AtomicLong();
  /** Records the agent emits itself, not read from the kernel (late executable hashes, agent.health). */
  final AtomicLong derived = new AtomicLong();

  public long derived() {
    return derived.get();
  }

  public long received() {
    long n = 0;
    for (int i = 0; i < received.length(); i++) {
      n += received.get(i);
    }
    return n;
  }

  public long received(int type) {
    return received.get(type);
  }

  public long malformed() {
    return malformed.get();
  }
}
