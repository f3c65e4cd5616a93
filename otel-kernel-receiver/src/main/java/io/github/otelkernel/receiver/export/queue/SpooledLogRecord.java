package io.github.otelkernel.receiver.export.queue;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.util.Objects;

/**
 * A log record read back from the spool, with everything OTLP carries for it: plain immutable data,
 * as the SDK's own records are. body and the texts may be null (absent).
 */
record SpooledLogRecord(
    Resource resource,
    InstrumentationScopeInfo scope,
    long timestampEpochNanos,
    long observedTimestampEpochNanos,
    SpanContext spanContext,
    Severity severity,
    String severityText,
    Value<?> body,
    Attributes attributes,
    int totalAttributeCount,
    String eventName)
    implements LogRecordData {

  SpooledLogRecord {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(spanContext, "spanContext");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(attributes, "attributes");
    if (totalAttributeCount < attributes.size()) {
      throw new IllegalArgumentException(
          "total attribute count "
              + totalAttributeCount
              + " below the "
              + attributes.size()
              + " kept");
    }
  }

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
    return spanContext;
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
    return body == null ? Body.empty() : Body.string(body.asString());
  }

  @Override
  public Value<?> getBodyValue() {
    return body;
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public int getTotalAttributeCount() {
    return totalAttributeCount;
  }

  @Override
  public String getEventName() {
    return eventName;
  }
}
