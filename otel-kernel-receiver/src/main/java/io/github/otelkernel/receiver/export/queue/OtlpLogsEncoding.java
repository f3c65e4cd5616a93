package io.github.otelkernel.receiver.export.queue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.KeyValue;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceId;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.exporter.internal.otlp.logs.LogsRequestMarshaler;
import io.opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.opentelemetry.proto.logs.v1.ScopeLogs;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A batch of log records as an OTLP ExportLogsServiceRequest in protobuf: the bytes the OTLP
 * exporters send, resource and scope included, so what the spool gives back is what would have been
 * sent. Written by the SDK's own marshaler; read with the opentelemetry-proto classes, and refused
 * whole (IOException) where it holds anything the marshaler does not write.
 */
final class OtlpLogsEncoding {
  /**
   * Messages nest (and AnyValue in itself, through arrays and maps): a file nested deeper than this
   * is refused by the parser before it takes the stack. The agent's own records nest 7 deep
   * (request, resource logs, scope logs, record, attribute, array, element).
   */
  private static final int RECURSION_LIMIT = 32;

  private static final Severity[] BY_NUMBER = new Severity[25];

  static {
    for (Severity s : Severity.values()) {
      BY_NUMBER[s.getSeverityNumber()] = s;
    }
  }

  private OtlpLogsEncoding() {}

  static byte[] encode(Collection<LogRecordData> records) {
    LogsRequestMarshaler m = LogsRequestMarshaler.create(records);
    ByteArrayOutputStream out = new ByteArrayOutputStream(m.getBinarySerializedSize());
    try {
      m.writeBinaryTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // an in-memory stream
    }
    return out.toByteArray();
  }

  /** The records, grouped by resource and scope as OTLP has them (the marshaler's order). */
  static List<LogRecordData> decode(byte[] data) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(data);
    in.setRecursionLimit(RECURSION_LIMIT);
    ExportLogsServiceRequest request;
    try {
      request = ExportLogsServiceRequest.parseFrom(in);
      in.checkLastTagWas(0); // the whole input, not a message that stops early
    } catch (IOException e) {
      throw new IOException("not an OTLP logs request: " + e.getMessage(), e);
    }
    List<LogRecordData> out = new ArrayList<>();
    try {
      for (ResourceLogs rl : request.getResourceLogsList()) {
        Resource resource =
            Resource.create(
                attributes(rl.getResource().getAttributesList()), text(rl.getSchemaUrl()));
        for (ScopeLogs sl : rl.getScopeLogsList()) {
          InstrumentationScopeInfo scope = scope(sl.getScope(), sl.getSchemaUrl());
          for (LogRecord r : sl.getLogRecordsList()) {
            out.add(record(resource, scope, r));
          }
        }
      }
    } catch (IllegalArgumentException | ArithmeticException e) { // a value the SDK types refuse
      throw new IOException("undecodable OTLP log record: " + e.getMessage(), e);
    }
    return out;
  }

  private static InstrumentationScopeInfo scope(InstrumentationScope s, String schemaUrl)
      throws IOException {
    var b =
        InstrumentationScopeInfo.builder(s.getName())
            .setAttributes(attributes(s.getAttributesList()));
    if (!s.getVersion().isEmpty()) {
      b.setVersion(s.getVersion());
    }
    if (!schemaUrl.isEmpty()) {
      b.setSchemaUrl(schemaUrl);
    }
    return b.build();
  }

  private static LogRecordData record(
      Resource resource, InstrumentationScopeInfo scope, LogRecord r) throws IOException {
    int number = r.getSeverityNumberValue();
    if (number < 0 || number >= BY_NUMBER.length || BY_NUMBER[number] == null) {
      throw new IOException("severity number " + number + " out of range");
    }
    Attributes attributes = attributes(r.getAttributesList());
    return new SpooledLogRecord(
        resource,
        scope,
        r.getTimeUnixNano(),
        r.getObservedTimeUnixNano(),
        spanContext(r),
        BY_NUMBER[number],
        text(r.getSeverityText()),
        r.hasBody() ? value(r.getBody()) : null,
        attributes,
        Math.addExact(attributes.size(), r.getDroppedAttributesCount()),
        text(r.getEventName()));
  }

  /** The marshaler writes the ids only when valid, and the flags byte always. */
  private static SpanContext spanContext(LogRecord r) throws IOException {
    ByteString trace = r.getTraceId();
    ByteString span = r.getSpanId();
    if ((r.getFlags() & ~0xFF) != 0
        || !trace.isEmpty() && trace.size() != 16
        || !span.isEmpty() && span.size() != 8) {
      throw new IOException("malformed trace context");
    }
    if (trace.isEmpty() && span.isEmpty() && r.getFlags() == 0) {
      return SpanContext.getInvalid();
    }
    return SpanContext.create(
        trace.isEmpty() ? TraceId.getInvalid() : TraceId.fromBytes(trace.toByteArray()),
        span.isEmpty() ? SpanId.getInvalid() : SpanId.fromBytes(span.toByteArray()),
        TraceFlags.fromByte((byte) r.getFlags()),
        TraceState.getDefault());
  }

  /**
   * Attributes with the SDK types the marshaler wrote them from: an array of one primitive type is
   * that type's array key (an empty one a string array: all are the same bytes on the wire),
   * anything else (maps, bytes, mixed arrays) a Value key.
   */
  private static Attributes attributes(List<io.opentelemetry.proto.common.v1.KeyValue> kvs)
      throws IOException {
    AttributesBuilder b = Attributes.builder();
    for (io.opentelemetry.proto.common.v1.KeyValue kv : kvs) {
      String key = key(kv);
      AnyValue v = kv.getValue();
      switch (v.getValueCase()) {
        case STRING_VALUE -> b.put(AttributeKey.stringKey(key), v.getStringValue());
        case BOOL_VALUE -> b.put(AttributeKey.booleanKey(key), v.getBoolValue());
        case INT_VALUE -> b.put(AttributeKey.longKey(key), v.getIntValue());
        case DOUBLE_VALUE -> b.put(AttributeKey.doubleKey(key), v.getDoubleValue());
        case ARRAY_VALUE -> putArray(b, key, v);
        default -> b.put(AttributeKey.valueKey(key), value(v));
      }
    }
    Attributes a = b.build();
    if (a.size() != kvs.size()) { // a repeated key: the SDK writes each once
      throw new IOException("repeated attribute key");
    }
    return a;
  }

  private static void putArray(AttributesBuilder b, String key, AnyValue v) throws IOException {
    List<AnyValue> values = v.getArrayValue().getValuesList();
    AnyValue.ValueCase kind =
        values.isEmpty() ? AnyValue.ValueCase.STRING_VALUE : values.get(0).getValueCase();
    if (!values.stream().allMatch(e -> e.getValueCase() == kind)) {
      b.put(AttributeKey.valueKey(key), value(v));
      return;
    }
    switch (kind) {
      case STRING_VALUE ->
          b.put(
              AttributeKey.stringArrayKey(key),
              values.stream().map(AnyValue::getStringValue).toList());
      case BOOL_VALUE ->
          b.put(
              AttributeKey.booleanArrayKey(key),
              values.stream().map(AnyValue::getBoolValue).toList());
      case INT_VALUE ->
          b.put(
              AttributeKey.longArrayKey(key), values.stream().map(AnyValue::getIntValue).toList());
      case DOUBLE_VALUE ->
          b.put(
              AttributeKey.doubleArrayKey(key),
              values.stream().map(AnyValue::getDoubleValue).toList());
      default -> b.put(AttributeKey.valueKey(key), value(v));
    }
  }

  private static Value<?> value(AnyValue v) throws IOException {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> Value.of(v.getStringValue());
      case BOOL_VALUE -> Value.of(v.getBoolValue());
      case INT_VALUE -> Value.of(v.getIntValue());
      case DOUBLE_VALUE -> Value.of(v.getDoubleValue());
      case BYTES_VALUE -> Value.of(v.getBytesValue().toByteArray());
      case ARRAY_VALUE -> {
        List<Value<?>> values = new ArrayList<>(v.getArrayValue().getValuesCount());
        for (AnyValue e : v.getArrayValue().getValuesList()) {
          values.add(value(e));
        }
        yield Value.of(values);
      }
      case KVLIST_VALUE -> {
        List<io.opentelemetry.proto.common.v1.KeyValue> kvs = v.getKvlistValue().getValuesList();
        KeyValue[] entries = new KeyValue[kvs.size()];
        for (int i = 0; i < entries.length; i++) {
          entries[i] = KeyValue.of(key(kvs.get(i)), value(kvs.get(i).getValue()));
        }
        yield Value.of(entries);
      }
      case VALUE_NOT_SET -> Value.empty();
      // a string table index belongs to the profiles signal, which has the table; logs have none
      case STRING_VALUE_STRINDEX -> throw new IOException("string table index in a log record");
    };
  }

  private static String key(io.opentelemetry.proto.common.v1.KeyValue kv) throws IOException {
    if (kv.getKey().isEmpty() || kv.getKeyStrindex() != 0) {
      throw new IOException("attribute without a key");
    }
    return kv.getKey();
  }

  /** proto3 has no absent string: the marshaler writes null as empty, and so it is read. */
  private static String text(String s) {
    return s.isEmpty() ? null : s;
  }
}
