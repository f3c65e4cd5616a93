package io.github.otelkernel.receiver.export.queue;

import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Warnings at most once per 30 s: an outage goes on for hours, and each retry would say the same.
 */
final class ThrottledLog {
  private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  private final Logger log;
  private long lastNanos;
  private boolean warned;

  ThrottledLog(Logger log) {
    this.log = log;
  }

  synchronized void warn(String message) {
    long now = System.nanoTime();
    if (!warned || now - lastNanos > INTERVAL_NANOS) {
      warned = true;
      lastNanos = now;
      log.warning(message);
    }
  }
}
