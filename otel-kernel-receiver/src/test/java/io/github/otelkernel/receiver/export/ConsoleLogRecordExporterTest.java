package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConsoleLogRecordExporterTest {
  @Test
  void plainWordsStayBareEverythingElseIsQuotedAndEscaped() {
    assertEquals("-c", ConsoleLogRecordExporter.quote("-c"));
    assertEquals("'a b'", ConsoleLogRecordExporter.quote("a b"));
    assertEquals("''", ConsoleLogRecordExporter.quote(""));
    assertEquals("'x\\ny'", ConsoleLogRecordExporter.quote("x\ny"));
    assertEquals("'it\\'s'", ConsoleLogRecordExporter.quote("it's"));
    assertEquals("'\\x1b[31m'", ConsoleLogRecordExporter.quote("\u001b[31m")); // no terminal escapes
    assertEquals("'ü'", ConsoleLogRecordExporter.quote("ü"));
    assertEquals("'a\\x2028b'", ConsoleLogRecordExporter.quote("a\u2028b"));
  }
}
