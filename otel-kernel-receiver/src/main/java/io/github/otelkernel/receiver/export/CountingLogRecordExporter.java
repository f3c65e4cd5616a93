package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.export.queue.DeliveryStats;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.util.Collection;
import java.util.logging.Logger;

/** Counts each batch as delivered or lost once the wrapped exporter has given its verdict. */
final class CountingLogRecordExporter implements LogRecordExporter {
  private static final Logger LOG = Logger.getLogger(CountingLogRecordExporter.class.getName());
  private final LogRecordExporter delegate;
  private final DeliveryStats stats;

  CountingLogRecordExporter(LogRecordExporter delegate, DeliveryStats stats) {
    this.delegate = delegate;
    this.stats = stats;
  }

  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    int n = logs.size();
    CompletableResultCode result;
    try {
      result = delegate.export(logs);
    } catch (RuntimeException e) {
      stats.addFailed(n);
      LOG.warning(
          "exporter " + stats.exporter() + " failed, " + n + " records lost: " + e.getMessage());
      return CompletableResultCode.ofFailure();
    }
    result.whenComplete(
        () -> {
          if (result.isSuccess()) {
            stats.addExported(n);
          } else {
            stats.addFailed(n);
            Throwable cause = result.getFailureThrowable();
            LOG.warning(
                "exporter "
                    + stats.exporter()
                    + " could not deliver "
                    + n
                    + " records, counted as lost"
                    + (cause != null && cause.getMessage() != null
                        ? ": " + cause.getMessage()
                        : ""));
          }
        });
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
