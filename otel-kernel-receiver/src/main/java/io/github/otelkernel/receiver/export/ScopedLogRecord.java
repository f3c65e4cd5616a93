package io.github.otelkernel.receiver.export;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;

/** A record as the SDK emitted it, under another instrumentation scope ({@link EcsScopes}). */
final class ScopedLogRecord implements ReadWriteLogRecord {
  private final ReadWriteLogRecord delegate;
  private final InstrumentationScopeInfo scope;

  ScopedLogRecord(ReadWriteLogRecord delegate, InstrumentationScopeInfo scope) {
    this.delegate = delegate;
    this.scope = scope;
  }

  @Override
  public <T> ReadWriteLogRecord setAttribute(AttributeKey<T> key, T value) {
    delegate.setAttribute(key, value);
    return this;
  }

  @Override
  public LogRecordData toLogRecordData() {
    return new Data(delegate.toLogRecordData(), scope);
  }

  @Override
  public InstrumentationScopeInfo getInstrumentationScopeInfo() {
    return scope;
  }

  @Override
  public String getEventName() {
    return delegate.getEventName();
  }

  @Override
  public <T> T getAttribute(AttributeKey<T> key) {
    return delegate.getAttribute(key);
  }

  @Override
  public long getTimestampEpochNanos() {
    return delegate.getTimestampEpochNanos();
  }

  @Override
  public long getObservedTimestampEpochNanos() {
    return delegate.getObservedTimestampEpochNanos();
  }

  @Override
  public SpanContext getSpanContext() {
    return delegate.getSpanContext();
  }

  @Override
  public Severity getSeverity() {
    return delegate.getSeverity();
  }

  @Override
  public String getSeverityText() {
    return delegate.getSeverityText();
  }

  @Override
  public Value<?> getBodyValue() {
    return delegate.getBodyValue();
  }

  @Override
  public Attributes getAttributes() {
    return delegate.getAttributes();
  }

  /** The immutable data, scope replaced. */
  private record Data(LogRecordData d, InstrumentationScopeInfo scope) implements LogRecordData {
    @Override
    public Resource getResource() {
      return d.getResource();
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
      return scope;
    }

    @Override
    public long getTimestampEpochNanos() {
      return d.getTimestampEpochNanos();
    }

    @Override
    public long getObservedTimestampEpochNanos() {
      return d.getObservedTimestampEpochNanos();
    }

    @Override
    public SpanContext getSpanContext() {
      return d.getSpanContext();
    }

    @Override
    public Severity getSeverity() {
      return d.getSeverity();
    }

    @Override
    public String getSeverityText() {
      return d.getSeverityText();
    }

    @Override
    @SuppressWarnings("deprecation") // the interface still requires it; getBodyValue is the data
    public Body getBody() {
      return d.getBody();
    }

    @Override
    public Value<?> getBodyValue() {
      return d.getBodyValue();
    }

    @Override
    public Attributes getAttributes() {
      return d.getAttributes();
    }

    @Override
    public int getTotalAttributeCount() {
      return d.getTotalAttributeCount();
    }

    @Override
    public String getEventName() {
      return d.getEventName();
    }
  }
}
