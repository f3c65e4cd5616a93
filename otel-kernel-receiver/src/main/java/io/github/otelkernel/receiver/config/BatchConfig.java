package io.github.otelkernel.receiver.config;

import java.time.Duration;
import java.util.List;

/**
 * processors.batch, with the Collector's key names; also the bounds of each exporter's in-memory
 * queue, in records and in estimated bytes (queue_size_mib).
 */
public record BatchConfig(Duration timeout, int sendBatchSize, int queueSize, int queueSizeMib) {
  public static final BatchConfig DEFAULT =
      new BatchConfig(Duration.ofMillis(200), 512, 16_384, 32);

  static BatchConfig parse(ConfigNode.Section s) {
    BatchConfig d = DEFAULT;
    var c =
        new BatchConfig(
            s.duration("timeout", d.timeout()),
            s.integer("send_batch_size", 1, 1 << 20, d.sendBatchSize()),
            s.integer("queue_size", 1, 1 << 24, d.queueSize()),
            s.integer("queue_size_mib", 1, 1 << 16, d.queueSizeMib()));
    s.done();
    return c;
  }

  public void validate(String at, List<Problem> out) {
    if (timeout.isNegative()) {
      out.add(new Problem(at + ".timeout", timeout + " is negative"));
    }
    if (sendBatchSize < 1 || queueSize < 1 || queueSizeMib < 1) {
      out.add(new Problem(at, "send_batch_size, queue_size and queue_size_mib must be at least 1"));
    }
  }
}
