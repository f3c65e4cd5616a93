package io.github.otelkernel.receiver.export;

import io.github.otelkernel.semconv.EcsCategorization;
import io.github.otelkernel.semconv.KsecDataStreams;
import io.github.otelkernel.semconv.KsecEcs;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Files each record under its ECS categorization and data stream through the instrumentation scope
 * it leaves with: the scope the SDK logger gave it, plus {@code data_stream.dataset}, {@code
 * event.kind}, {@code event.category}, {@code event.type} and {@code event.action} as scope
 * attributes. OTLP sends a scope once per batch, not once per record, so what Elastic's rules and
 * the Collector's elasticsearch exporter select and route by costs nothing per record; that
 * exporter (mapping mode otel) writes them under {@code scope.attributes}, which the index
 * templates pass through to the top level, and routes by the dataset. The record itself keeps
 * OTel's conventions. One instance wraps all of the agent's processors, so each record is wrapped
 * once.
 */
public final class EcsScopes implements LogRecordProcessor {
  /** The record's categorization, put in the emit context by {@link RecordSink}. */
  static final ContextKey<EcsCategorization> KEY = ContextKey.named("ksec.record.ecs");

  public static final AttributeKey<String> EVENT_KIND = AttributeKey.stringKey("event.kind");
  public static final AttributeKey<List<String>> EVENT_CATEGORY =
      AttributeKey.stringArrayKey("event.category");
  public static final AttributeKey<List<String>> EVENT_TYPE =
      AttributeKey.stringArrayKey("event.type");
  public static final AttributeKey<String> EVENT_ACTION = AttributeKey.stringKey("event.action");

  private final LogRecordProcessor delegate;

  /** By categorization index (the last slot: {@link KsecEcs#UNKNOWN}); built on first use. */
  private final AtomicReferenceArray<InstrumentationScopeInfo> scopes =
      new AtomicReferenceArray<>(KsecEcs.ALL.size() + 1);

  public EcsScopes(LogRecordProcessor delegate) {
    this.delegate = delegate;
  }

  /** The scope attributes of a categorization: its data stream and its four ECS fields. */
  public static Attributes attributes(EcsCategorization c) {
    return Attributes.builder()
        .put(KsecDataStreams.DATASET, KsecDataStreams.dataset(c.eventName()))
        .put(EVENT_KIND, c.kind())
        .put(EVENT_CATEGORY, c.category())
        .put(EVENT_TYPE, c.type())
        .put(EVENT_ACTION, c.action())
        .build();
  }

  @Override
  public void onEmit(Context context, ReadWriteLogRecord logRecord) {
    EcsCategorization c = context.get(KEY);
    delegate.onEmit(
        context, c == null ? logRecord : new ScopedLogRecord(logRecord, scope(logRecord, c)));
  }

  private InstrumentationScopeInfo scope(ReadWriteLogRecord r, EcsCategorization c) {
    InstrumentationScopeInfo base = r.getInstrumentationScopeInfo();
    InstrumentationScopeInfo s = scopes.get(c.index());
    if (s != null
        && s.getName().equals(base.getName())
        && java.util.Objects.equals(s.getVersion(), base.getVersion())) {
      return s;
    }
    var b =
        InstrumentationScopeInfo.builder(base.getName())
            .setAttributes(base.getAttributes().toBuilder().putAll(attributes(c)).build());
    if (base.getVersion() != null) {
      b.setVersion(base.getVersion());
    }
    if (base.getSchemaUrl() != null) {
      b.setSchemaUrl(base.getSchemaUrl());
    }
    s = b.build();
    scopes.set(c.index(), s);
    return s;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return delegate.forceFlush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }

  @Override
  public void close() {
    delegate.close();
  }
}
