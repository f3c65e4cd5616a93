package io.github.otelkernel.receiver.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TerminalTextTest {
  @Test
  void controlBidiAndInvisibleCharactersAreEscaped() {
    assertEquals("a\\x1b[31mb", TerminalText.escape("a\u001b[31mb"));
    assertEquals("a\\u202eb", TerminalText.escape("a\u202Eb"));
    assertEquals(
        "\\u2066x\\u2069\\u200by\\ufeff", TerminalText.escape("\u2066x\u2069\u200By\uFEFF"));
    assertEquals("line1\\nline2", TerminalText.escape("line1\nline2"));
    assertEquals("C:\\\\x1b", TerminalText.escape("C:\\x1b"), "a backslash cannot forge an escape");
    assertEquals("plain ünïcødé ✓", TerminalText.escape("plain ünïcødé ✓"));
  }
}
