package io.github.otelkernel.receiver.export.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OtlpLogsEncodingTest {
  static final Resource RESOURCE =
      Resource.create(
          Attributes.of(
              AttributeKey.stringKey("service.name"),
              "otel-kernel-receiver",
              AttributeKey.stringKey("host.name"),
              "web-1"),
          "https://opentelemetry.io/schemas/1.37.0");
  static final InstrumentationScopeInfo SCOPE =
      InstrumentationScopeInfo.builder("io.github.otelkernel")
          .setVersion("0.1.0")
          .setSchemaUrl("https://opentelemetry.io/schemas/1.37.0")
          .setAttributes(Attributes.of(AttributeKey.booleanKey("scope.flag"), true))
          .build();

  /** One record with an attribute of every type the SDK has, and every other field set. */
  static LogRecordData full() {
    Attributes attributes =
        Attributes.builder()
            .put("process.command_line", "sh -c 'ü\n\u0000'")
            .put("ksec.flag", true)
            .put("process.pid", -42L)
            .put("ksec.ratio", 0.25)
            .put(AttributeKey.stringArrayKey("process.command_args"), List.of("sh", "", "a b"))
            .put(AttributeKey.booleanArrayKey("ksec.bits"), List.of(true, false))
            .put(AttributeKey.longArrayKey("ksec.fds"), List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE))
            .put(
                AttributeKey.doubleArrayKey("ksec.load"),
                List.of(1.5, Double.NaN, Double.NEGATIVE_INFINITY))
            .put(
                AttributeKey.valueKey("ksec.map"),
                Value.of(
                    KeyValue.of("k", Value.of(1L)),
                    KeyValue.of("nested", Value.of(Value.of("x"), Value.of(2.0)))))
            .put(AttributeKey.valueKey("ksec.bytes"), Value.of(new byte[] {0, 1, (byte) 0xff}))
            .put(AttributeKey.valueKey("ksec.mixed"), Value.of(Value.of("a"), Value.of(1L)))
            .build();
    SpanContext span =
        SpanContext.create(
            "0af7651916cd43dd8448eb211c80319c",
            "b7ad6b7169203331",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    return new SpooledLogRecord(
        RESOURCE,
        SCOPE,
        1_700_000_000_123_456_789L,
        1_700_000_000_987_654_321L,
        span,
        Severity.WARN3,
        "WARN",
        Value.of("process.exec /bin/sh"),
        attributes,
        attributes.size() + 3,
        "process.exec");
  }

  @Test
  void roundTripKeepsEveryField() throws IOException {
    LogRecordData in = full();
    List<LogRecordData> out = OtlpLogsEncoding.decode(OtlpLogsEncoding.encode(List.of(in)));
    assertEquals(1, out.size());
    LogRecordData r = out.get(0);
    assertEquals(RESOURCE, r.getResource());
    assertEquals(SCOPE, r.getInstrumentationScopeInfo());
    assertEquals(in.getTimestampEpochNanos(), r.getTimestampEpochNanos());
    assertEquals(in.getObservedTimestampEpochNanos(), r.getObservedTimestampEpochNanos());
    assertEquals(in.getSpanContext(), r.getSpanContext());
    assertEquals(Severity.WARN3, r.getSeverity());
    assertEquals("WARN", r.getSeverityText());
    assertEquals(in.getBodyValue(), r.getBodyValue());
    assertEquals("process.exec", r.getEventName());
    assertEquals(
        in.getTotalAttributeCount(),
        r.getTotalAttributeCount(),
        "dropped attributes still counted");
    for (Map.Entry<AttributeKey<?>, Object> e : in.getAttributes().asMap().entrySet()) {
      assertEquals(
          e.getValue(),
          r.getAttributes().get(e.getKey()),
          e.getKey().getKey() + " of type " + e.getKey().getType());
    }
    assertEquals(in.getAttributes().size(), r.getAttributes().size());
  }

  @Test
  void reEncodingGivesTheSameBytes() throws IOException {
    // one resource and scope: the marshaler orders groups of several by identity hash
    LogRecordData minimal =
        new SpooledLogRecord(
            RESOURCE,
            SCOPE,
            0,
            0,
            SpanContext.getInvalid(),
            Severity.UNDEFINED_SEVERITY_NUMBER,
            null,
            null,
            Attributes.empty(),
            0,
            null);
    byte[] bytes = OtlpLogsEncoding.encode(List.of(full(), minimal, full()));
    List<LogRecordData> decoded = OtlpLogsEncoding.decode(bytes);
    assertEquals(3, decoded.size());
    assertArrayEquals(
        bytes, OtlpLogsEncoding.encode(decoded), "nothing the wire carries was lost or changed");
    LogRecordData m =
        decoded.stream()
            .filter(r -> r.getSeverity() == Severity.UNDEFINED_SEVERITY_NUMBER)
            .findFirst()
            .orElseThrow();
    assertNull(m.getBodyValue(), "no body stays no body");
    assertNull(m.getEventName());
    assertNull(m.getSeverityText());
    assertEquals(SpanContext.getInvalid(), m.getSpanContext());
  }

  @Test
  void recordsOfSeveralResourcesAndScopesKeepTheirOwn() throws IOException {
    Resource other =
        Resource.create(Attributes.of(AttributeKey.stringKey("service.name"), "other"));
    LogRecordData a = full();
    LogRecordData b =
        new SpooledLogRecord(
            other,
            InstrumentationScopeInfo.create("b"),
            5,
            6,
            SpanContext.getInvalid(),
            Severity.INFO,
            null,
            Value.of("b"),
            Attributes.empty(),
            0,
            "process.exit");
    List<LogRecordData> out = OtlpLogsEncoding.decode(OtlpLogsEncoding.encode(List.of(a, b)));
    assertEquals(2, out.size());
    LogRecordData gotB =
        out.stream().filter(r -> "process.exit".equals(r.getEventName())).findFirst().orElseThrow();
    assertEquals(other, gotB.getResource());
    assertEquals(InstrumentationScopeInfo.create("b"), gotB.getInstrumentationScopeInfo());
    LogRecordData gotA =
        out.stream().filter(r -> "process.exec".equals(r.getEventName())).findFirst().orElseThrow();
    assertEquals(RESOURCE, gotA.getResource());
  }

  @Test
  void emptyBatch() throws IOException {
    assertEquals(List.of(), OtlpLogsEncoding.decode(OtlpLogsEncoding.encode(List.of())));
  }

  static byte[] request(LogRecord.Builder r) {
    return ExportLogsServiceRequest.newBuilder()
        .addResourceLogs(
            ResourceLogs.newBuilder().addScopeLogs(ScopeLogs.newBuilder().addLogRecords(r)))
        .build()
        .toByteArray();
  }

  static io.opentelemetry.proto.common.v1.KeyValue kv(String key, AnyValue v) {
    return io.opentelemetry.proto.common.v1.KeyValue.newBuilder().setKey(key).setValue(v).build();
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  @Test
  void refusesWhatTheMarshalerNeverWrites() {
    byte[] good = OtlpLogsEncoding.encode(List.of(full()));
    // cut short, and bytes that are no protobuf at all
    assertThrows(
        IOException.class, () -> OtlpLogsEncoding.decode(Arrays.copyOf(good, good.length - 7)));
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(
                "KSQ1 not protobuf at all".getBytes(StandardCharsets.US_ASCII)));
    // fields that decode as protobuf but mean nothing the SDK could have written
    assertThrows(
        IOException.class,
        () -> OtlpLogsEncoding.decode(request(LogRecord.newBuilder().setSeverityNumberValue(99))));
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(
                request(
                    LogRecord.newBuilder()
                        .setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[5])))));
    assertThrows(
        IOException.class,
        () -> OtlpLogsEncoding.decode(request(LogRecord.newBuilder().setFlags(0x100))));
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(
                request(LogRecord.newBuilder().addAttributes(kv("", str("x"))))));
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(
                request(
                    LogRecord.newBuilder()
                        .addAttributes(kv("k", str("x")))
                        .addAttributes(kv("k", str("y"))))),
        "a repeated key would lose one");
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(
                request(
                    LogRecord.newBuilder()
                        .setBody(AnyValue.newBuilder().setStringValueStrindex(3)))));
    assertThrows(
        IOException.class,
        () ->
            OtlpLogsEncoding.decode(request(LogRecord.newBuilder().setDroppedAttributesCount(-1))),
        "a dropped count over 2^31");
  }

  @Test
  void deepNestingIsRefusedBeforeItTakesTheStack() {
    AnyValue v = str("leaf");
    for (int i = 0; i < 200; i++) {
      v =
          AnyValue.newBuilder()
              .setKvlistValue(KeyValueList.newBuilder().addValues(kv("k", v)))
              .build();
    }
    AnyValue deep = v;
    IOException e =
        assertThrows(
            IOException.class,
            () -> OtlpLogsEncoding.decode(request(LogRecord.newBuilder().setBody(deep))));
    assertTrue(e.getMessage().contains("not an OTLP logs request"), e.getMessage());
  }
}
