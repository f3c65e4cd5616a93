package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.ReadWriteLogRecord;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ConsoleLogRecordExporterTest {
  @Test
  void plainWordsStayBareEverythingElseIsQuotedAndEscaped() {
    assertEquals("-c", ConsoleLogRecordExporter.quote("-c"));
    assertEquals("'a b'", ConsoleLogRecordExporter.quote("a b"));
    assertEquals("''", ConsoleLogRecordExporter.quote(""));
    // bidi overrides and zero-width characters reorder or hide what an operator reads
    assertEquals("'a\\u202eb'", ConsoleLogRecordExporter.quote("a\u202Eb"));
    assertEquals("'x\\u200by'", ConsoleLogRecordExporter.quote("x\u200By"));
    assertEquals("'x\\ny'", ConsoleLogRecordExporter.quote("x\ny"));
    assertEquals("'it\\'s'", ConsoleLogRecordExporter.quote("it's"));
    assertEquals(
        "'\\x1b[31m'", ConsoleLogRecordExporter.quote("\u001b[31m")); // no terminal escapes
    assertEquals("'ü'", ConsoleLogRecordExporter.quote("ü"));
    assertEquals("'a\\u2028b'", ConsoleLogRecordExporter.quote("a\u2028b"));
  }

  @Test
  void everyKindOfRecordHasATimeNoNullColumnAndItsDetailInTheSameColumn() {
    List<LogRecordData> emitted = new ArrayList<>();
    LogRecordProcessor capture =
        new LogRecordProcessor() {
          @Override
          public void onEmit(Context context, ReadWriteLogRecord r) {
            emitted.add(r.toLogRecordData());
          }
        };
    try (SdkLoggerProvider provider =
        SdkLoggerProvider.builder().addLogRecordProcessor(capture).build()) {
      var logger = provider.get("test");
      logger
          .logRecordBuilder()
          .setEventName("process.exec")
          .setTimestamp(1_700_000_000_123L, TimeUnit.MILLISECONDS)
          .setAttribute(AttributeKey.longKey("process.pid"), 42L)
          .setAttribute(AttributeKey.longKey("process.parent_pid"), 1L)
          .setAttribute(AttributeKey.longKey("process.user.id"), 0L)
          .setAttribute(AttributeKey.stringKey("process.executable.path"), "/bin/true")
          .emit();
      // a late hash: no event time, no parent, no user
      logger
          .logRecordBuilder()
          .setEventName("process.executable.hash")
          .setObservedTimestamp(1_700_000_001_456L, TimeUnit.MILLISECONDS)
          .setAttribute(AttributeKey.longKey("process.pid"), 42L)
          .setAttribute(KsecAttributes.PROCESS_COMM, "true")
          .setBody("hash")
          .emit();
    }
    String exec = ConsoleLogRecordExporter.line(emitted.get(0));
    String hash = ConsoleLogRecordExporter.line(emitted.get(1));
    assertFalse(hash.startsWith("00:00:00.000"), hash);
    assertFalse(hash.contains("null"), hash);
    assertEquals(exec.indexOf("/bin/true"), hash.lastIndexOf("hash"), exec + "\n" + hash);
    String[] columns = hash.split(" +");
    assertEquals(List.of("42", "-", "-", "hash"), List.of(columns).subList(2, 6), hash);
  }
}
