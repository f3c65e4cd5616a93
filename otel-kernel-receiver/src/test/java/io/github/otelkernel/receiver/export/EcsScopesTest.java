package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.semconv.KsecDataStreams;
import io.github.otelkernel.semconv.KsecEcs;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;

class EcsScopesTest {
  private final CollectingExporter out = new CollectingExporter();
  private final RecordSink sink =
      new RecordSink(
          SdkLoggerProvider.builder()
              .addLogRecordProcessor(new EcsScopes(SimpleLogRecordProcessor.create(out)))
              .build()
              .loggerBuilder(LogRecordMapper.SCOPE_NAME)
              .setInstrumentationVersion("1.2.3")
              .build());

  @Test
  void eachRecordLeavesWithItsCategorizationAndDataStreamOnItsScope() {
    Attributes a = Attributes.builder().put("process.pid", 42L).build();
    sink.submit(KsecEvents.PROCESS_EXEC, 1, Severity.INFO, "exec", a);
    sink.submit(
        KsecEvents.FILE_OPEN,
        2,
        Severity.INFO,
        "open",
        a,
        KsecEcs.of(KsecEvents.FILE_OPEN, "create"));
    sink.submit(KsecEvents.PROCESS_EXEC, 3, Severity.INFO, "exec again", a);
    assertEquals(3, out.records.size());
    InstrumentationScopeInfo exec = out.records.get(0).getInstrumentationScopeInfo();
    assertEquals(LogRecordMapper.SCOPE_NAME, exec.getName());
    assertEquals("1.2.3", exec.getVersion());
    assertEquals("ksec.process", exec.getAttributes().get(KsecDataStreams.DATASET));
    assertEquals("event", exec.getAttributes().get(EcsScopes.EVENT_KIND));
    assertEquals(List.of("process"), exec.getAttributes().get(EcsScopes.EVENT_CATEGORY));
    assertEquals(List.of("start"), exec.getAttributes().get(EcsScopes.EVENT_TYPE));
    assertEquals("exec", exec.getAttributes().get(EcsScopes.EVENT_ACTION));
    InstrumentationScopeInfo create = out.records.get(1).getInstrumentationScopeInfo();
    assertEquals("ksec.file", create.getAttributes().get(KsecDataStreams.DATASET));
    assertEquals("creation", create.getAttributes().get(EcsScopes.EVENT_ACTION));
    assertNotEquals(exec, create);
    // one scope object per kind of record: OTLP groups the records under it once per batch
    assertSame(exec, out.records.get(2).getInstrumentationScopeInfo());
    // the record itself is untouched: OTel's attributes, no ECS ones
    LogRecordData r = out.records.get(0);
    assertEquals(a, r.getAttributes());
    assertEquals(KsecEvents.PROCESS_EXEC, r.getEventName());
    assertEquals("exec", r.getBodyValue().asString());
    assertTrue(r.getTimestampEpochNanos() == 1);
  }

  @Test
  void aRecordEmittedWithoutACategorizationKeepsTheLoggersScope() {
    SdkLoggerProvider.builder()
        .addLogRecordProcessor(new EcsScopes(SimpleLogRecordProcessor.create(out)))
        .build()
        .get("other")
        .logRecordBuilder()
        .setBody("plain")
        .emit();
    assertEquals(
        Attributes.empty(), out.records.get(0).getInstrumentationScopeInfo().getAttributes());
    assertEquals("other", out.records.get(0).getInstrumentationScopeInfo().getName());
  }
}
