package io.github.otelkernel.receiver.export;

import java.util.concurrent.atomic.AtomicLong;

/** What one exporter did with the records it was given: delivered, or failed and lost. */
public final class DeliveryStats {
  private final String exporter;
  final AtomicLong exported = new AtomicLong();
  final AtomicLong failed = new AtomicLong();

  public DeliveryStats(String exporter) {
    this.exporter = exporter;
  }

  public String exporter() {
    return exporter;
  }

  public long exported() {
    return exported.get();
  }

  public long failed() {
    return failed.get();
  }
}
