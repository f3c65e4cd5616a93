package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
