package io.github.otelkernel.receiver.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {
  @Test
  void textFromOutsideCannotForgeLinesOrDriveTheTerminal() {
    // a Collector's error text is not ours: ESC sequences and newlines in it come out escaped
    LogRecord r = new LogRecord(Level.WARNING, "export failed: \u001b[2Jrejected\nINFO all good");
    r.setThrown(
        new RuntimeException(
            "wrap", new IllegalStateException("cause \u001b]0;title\u0007 \u202Eevil")));
    String line = new OneLineFormatter(false).format(r);
    assertEquals(1, line.lines().count(), line);
    assertFalse(line.chars().anyMatch(c -> c == 0x1b || c == 0x07 || c == 0x202e), line);
    assertTrue(line.contains("\\x1b[2Jrejected\\nINFO all good"), line);
    assertTrue(line.contains("\\u202eevil"), line);
  }
}
