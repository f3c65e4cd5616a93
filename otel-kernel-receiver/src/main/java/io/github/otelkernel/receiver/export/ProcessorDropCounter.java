package io.github.otelkernel.receiver.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads the batch processors' own instrument (records dropped because the queue was full) from the
 * SDK's meter provider, so that the agent reports that loss instead of hiding it.
 */
public final class ProcessorDropCounter implements MetricReader {
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");
  private static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  /** Records the batch processors dropped so far, over all exporters. */
  public long dropped() {
    long total = 0;
    for (MetricData m : registration.collectAllMetrics()) {
      boolean legacy = m.getName().equals("processedLogs");
      boolean latest = m.getName().equals("otel.sdk.processor.log.processed");
      if (!legacy && !latest) {
        continue;
      }
      for (LongPointData p : m.getLongSumData().getPoints()) {
        if (Boolean.TRUE.equals(p.getAttributes().get(DROPPED))
            || (latest && p.getAttributes().get(ERROR_TYPE) != null)) {
          total += p.getValue();
        }
      }
    }
    return total;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    return CompletableResultCode.ofSuccess();
  }
}
