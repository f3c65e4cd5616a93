package io.github.otelkernel.receiver.export.queue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Binary form of a batch of log records for the spool. Only what varies per record is stored;
 * Resource and scope are the agent's own and are attached again when a batch is read back.
 */
final class RecordCodec {
  private static final int MAGIC = 0x4B53_5131; // "KSQ1"

  private RecordCodec() {}

  static byte[] encode(Collection<LogRecordData> records) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(records.size() * 512);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(records.size());
      for (LogRecordData r : records) {
        out.writeLong(r.getTimestampEpochNanos());
        out.writeLong(r.getObservedTimestampEpochNanos());
        out.writeByte(r.getSeverity().getSeverityNumber());
        writeNullable(out, r.getSeverityText());
        writeNullable(out, r.getEventName());
        Value<?> body = r.getBodyValue();
        writeNullable(out, body == null ? null : body.asString());
        Map<AttributeKey<?>, Object> attrs = r.getAttributes().asMap();
        out.writeInt(attrs.size());
        for (var e : attrs.entrySet()) {
          writeString(out, e.getKey().getKey());
          out.writeByte(e.getKey().getType().ordinal());
          writeValue(out, e.getKey().getType(), e.getValue());
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e); // in-memory stream
    }
    return bytes.toByteArray();
  }

  static List<LogRecordData> decode(byte[] data, Resource resource, InstrumentationScopeInfo scope) throws IOException {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
      if (in.readInt() != MAGIC) {
        throw new IOException("not a spool batch");
      }
      int n = in.readInt();
      if (n < 0 || n > data.length) { // a record takes more than a byte: a lie, or a torn file
        throw new IOException("corrupt record count " + n);
      }
      List<LogRecordData> out = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        long ts = in.readLong();
        long observed = in.readLong();
        Severity severity = severity(in.readByte());
        String severityText = readNullable(in);
        String eventName = readNullable(in);
        String body = readNullable(in);
        int count = in.readInt();
        AttributesBuilder a = Attributes.builder();
        for (int j = 0; j < count; j++) {
          String key = readString(in);
          AttributeType type = AttributeType.values()[in.readByte()];
          readValue(in, type, key, a);
        }
        Attributes attributes = a.build();
        out.add(new SpooledLogRecord(resource, scope, ts, observed, io.opentelemetry.api.trace.SpanContext.getInvalid(),
            severity, severityText, body == null ? null : Value.of(body), attributes, attributes.size(), eventName));
      }
      return out;
    } catch (RuntimeException e) { // an attribute type out of range and the like
      throw new IOException("corrupt batch: " + e);
    }
  }

  /** The record count a batch file's header declares, 0 when it has no valid header. */
  static long declaredCount(java.nio.file.Path file) {
    try (DataInputStream in = new DataInputStream(java.nio.file.Files.newInputStream(file,
        java.nio.file.LinkOption.NOFOLLOW_LINKS))) {
      if (in.readInt() != MAGIC) {
        return 0;
      }
      return Math.max(0, in.readInt());
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  private static Severity severity(int number) {
    for (Severity s : Severity.values()) {
      if (s.getSeverityNumber() == number) {
        return s;
      }
    }
    return Severity.UNDEFINED_SEVERITY_NUMBER;
  }

  @SuppressWarnings("unchecked")
  private static void writeValue(DataOutputStream out, AttributeType type, Object v) throws IOException {
    switch (type) {
      case STRING -> writeString(out, (String) v);
      case BOOLEAN -> out.writeBoolean((Boolean) v);
      case LONG -> out.writeLong((Long) v);
      case DOUBLE -> out.writeDouble((Double) v);
      case STRING_ARRAY -> {
        List<String> l = (List<String>) v;
        out.writeInt(l.size());
        for (String s : l) {
          writeString(out, s);
        }
      }
      case LONG_ARRAY -> {
        List<Long> l = (List<Long>) v;
        out.writeInt(l.size());
        for (Long x : l) {
          out.writeLong(x);
        }
      }
      case BOOLEAN_ARRAY -> {
        List<Boolean> l = (List<Boolean>) v;
        out.writeInt(l.size());
        for (Boolean x : l) {
          out.writeBoolean(x);
        }
      }
      case DOUBLE_ARRAY -> {
        List<Double> l = (List<Double>) v;
        out.writeInt(l.size());
        for (Double x : l) {
          out.writeDouble(x);
        }
      }
      default -> throw new IOException("attribute type " + type + " cannot be spooled");
    }
  }

  private static void readValue(DataInputStream in, AttributeType type, String key, AttributesBuilder a) throws IOException {
    switch (type) {
      case STRING -> a.put(AttributeKey.stringKey(key), readString(in));
      case BOOLEAN -> a.put(AttributeKey.booleanKey(key), in.readBoolean());
      case LONG -> a.put(AttributeKey.longKey(key), in.readLong());
      case DOUBLE -> a.put(AttributeKey.doubleKey(key), in.readDouble());
      case STRING_ARRAY -> {
        int n = in.readInt();
        List<String> l = new ArrayList<>(Math.min(n, 1024)); // n is untrusted
        for (int i = 0; i < n; i++) {
          l.add(readString(in));
        }
        a.put(AttributeKey.stringArrayKey(key), l);
      }
      case LONG_ARRAY -> {
        int n = in.readInt();
        List<Long> l = new ArrayList<>(Math.min(n, 1024)); // n is untrusted
        for (int i = 0; i < n; i++) {
          l.add(in.readLong());
        }
        a.put(AttributeKey.longArrayKey(key), l);
      }
      case BOOLEAN_ARRAY -> {
        int n = in.readInt();
        List<Boolean> l = new ArrayList<>(Math.min(n, 1024)); // n is untrusted
        for (int i = 0; i < n; i++) {
          l.add(in.readBoolean());
        }
        a.put(AttributeKey.booleanArrayKey(key), l);
      }
      case DOUBLE_ARRAY -> {
        int n = in.readInt();
        List<Double> l = new ArrayList<>(Math.min(n, 1024)); // n is untrusted
        for (int i = 0; i < n; i++) {
          l.add(in.readDouble());
        }
        a.put(AttributeKey.doubleArrayKey(key), l);
      }
      default -> throw new IOException("unknown attribute type " + type);
    }
  }

  // writeUTF is limited to 64 KiB: strings are length-prefixed UTF-8 instead
  private static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  private static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (64 << 20)) {
      throw new IOException("corrupt string length " + n);
    }
    return new String(in.readNBytes(n), java.nio.charset.StandardCharsets.UTF_8);
  }

  private static void writeNullable(DataOutputStream out, String s) throws IOException {
    out.writeBoolean(s != null);
    if (s != null) {
      writeString(out, s);
    }
  }

  private static String readNullable(DataInputStream in) throws IOException {
    return in.readBoolean() ? readString(in) : null;
  }
}
