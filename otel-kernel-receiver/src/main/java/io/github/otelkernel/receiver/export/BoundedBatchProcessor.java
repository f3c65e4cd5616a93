package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.export.queue.DeliveryStats;
import io.github.otelkernel.receiver.memory.RecordSize;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.BatchLogRecordProcessor;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * One exporter's batch processor, bounded in bytes as well as in records. The SDK's batch processor
 * counts records only, so a storm of records near the string caps could fill the heap long before
 * its queue is full. This gate charges each record on the way in and releases it when the batch
 * processor hands it to the exporter; past either bound the record is dropped and counted. Since it
 * admits no more records than the SDK's queue holds, the SDK never drops one itself, and the charge
 * always comes back.
 */
public final class BoundedBatchProcessor implements LogRecordProcessor {
  private final LogRecordProcessor batch;
  private final int maxRecords;
  private final long maxBytes;
  private final Set<String> alwaysAdmitted;
  private final DeliveryStats stats;
  private long records;
  private long bytes;

  /**
   * @param alwaysAdmitted event names admitted even past the bounds (the agent's own health
   *     records: small, and the one thing that must say the queue is full)
   */
  public BoundedBatchProcessor(
      LogRecordExporter exporter,
      Duration scheduleDelay,
      int sendBatchSize,
      int maxRecords,
      long maxBytes,
      Set<String> alwaysAdmitted,
      DeliveryStats stats,
      MeterProvider meterProvider) {
    if (maxRecords < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("batch queue bounds must be positive");
    }
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
    this.alwaysAdmitted = alwaysAdmitted;
    this.stats = stats;
    // headroom of the always-admitted records over maxRecords: the SDK must never be the one to
    // drop
    this.batch =
        BatchLogRecordProcessor.builder(new Releasing(exporter))
            .setScheduleDelay(scheduleDelay)
            .setMaxExportBatchSize(Math.min(sendBatchSize, maxRecords))
            .setMaxQueueSize(maxRecords + 1024)
            .setMeterProvider(meterProvider)
            .build();
  }

  @Override
  public void onEmit(Context context, ReadWriteLogRecord logRecord) {
    long size = RecordSize.fromContext(context);
    if (size < 0) {
      size = RecordSize.of(logRecord.toLogRecordData());
    }
    boolean forced = alwaysAdmitted.contains(logRecord.getEventName());
    synchronized (this) {
      if (!forced && (records >= maxRecords || bytes + size > maxBytes)) {
        stats.addBatchDropped(1);
        return;
      }
      records++;
      bytes += size;
    }
    batch.onEmit(context, logRecord);
  }

  private synchronized void release(long n, long size) {
    records -= n;
    bytes -= size;
    if (records <= 0 || bytes < 0) { // nothing queued: nothing can be charged either
      records = Math.max(records, 0);
      bytes = records == 0 ? 0 : Math.max(bytes, 0);
    }
  }

  /** Records and estimated bytes in the queue now. */
  public synchronized long[] queued() {
    return new long[] {records, bytes};
  }

  @Override
  public CompletableResultCode forceFlush() {
    return batch.forceFlush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return batch.shutdown();
  }

  /** The exporter side: records leave the queue when they are handed over. */
  private final class Releasing implements LogRecordExporter {
    private final LogRecordExporter delegate;

    Releasing(LogRecordExporter delegate) {
      this.delegate = delegate;
    }

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      try {
        return delegate.export(logs);
      } finally {
        release(logs.size(), RecordSize.of(logs));
      }
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
}
