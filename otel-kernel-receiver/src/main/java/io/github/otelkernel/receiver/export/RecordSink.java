package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.memory.RecordSize;
import io.github.otelkernel.semconv.EcsCategorization;
import io.github.otelkernel.semconv.KsecEcs;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import java.util.concurrent.TimeUnit;

/**
 * The one submit path of every record the agent emits, kernel events' and its own: EventName,
 * severity, timestamp, body and attributes onto the SDK logger, the record's size in the context
 * for the batch queues' byte budget, and its ECS categorization, which {@link EcsScopes} turns into
 * the record's scope (with the data stream of its domain, which a stock Collector's elasticsearch
 * exporter routes by).
 */
final class RecordSink {
  private final Logger logger;

  RecordSink(Logger logger) {
    this.logger = logger;
  }

  /**
   * @param epochNanos the record's time; 0 leaves it to the SDK (observed time only)
   */
  void submit(
      String eventName, long epochNanos, Severity severity, String body, Attributes attributes) {
    submit(eventName, epochNanos, severity, body, attributes, KsecEcs.of(eventName));
  }

  void submit(
      String eventName,
      long epochNanos,
      Severity severity,
      String body,
      Attributes attributes,
      EcsCategorization ecs) {
    var b =
        logger
            .logRecordBuilder()
            .setContext(
                RecordSize.context(RecordSize.of(attributes, body)).with(EcsScopes.KEY, ecs))
            .setEventName(eventName)
            .setSeverity(severity)
            .setBody(body)
            .setAllAttributes(attributes);
    if (epochNanos > 0) {
      b.setTimestamp(epochNanos, TimeUnit.NANOSECONDS);
    }
    b.emit();
  }
}
