package io.github.otelkernel.receiver.export.queue;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;

/** A log record read back from the spool: plain immutable data, as the SDK's own records are. */
record SpooledLogRecord(
    Resource resource,
    InstrumentationScopeInfo scope,
    long timestampEpochNanos,
    long observedTimestampEpochNanos,
    Severity severity,
    String severityText,
    String eventName,
    String body,
    Attributes attributes)
    implements LogRecordData {

  @Override
  public Resource getResource() {
    return resource;
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public long getTimestampEpochNanos() {
    return timestampEpochNanos;
  }

  @Override
  public long getObservedTimestampEpochNanos() {
    return observedTimestampEpochNanos;
  }

  @Override
  public SpanContext getSpanContext() {
    return SpanContext.getInvalid();
  }

  @Override
  public Severity getSeverity() {
    return severity;
  }

  @Override
  public String getSeverityText() {
    return severityText;
  }

  @Override
  @Deprecated
  public Body getBody() {
    return body == null ? Body.empty() : Body.string(body);
  }

  @Override
  public Value<?> getBodyValue() {
    return body == null ? null : Value.of(body);
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public int getTotalAttributeCount() {
    return attributes.size();
  }

  @Override
  public String getEventName() {
    return eventName;
  }
}
