package io.github.otelkernel.receiver.text;

/**
 * Text from outside (a monitored process's arguments, a Collector's error message) on its way to a
 * terminal or a log line: characters that move the cursor, end the line, reorder what is shown
 * (bidi overrides: "Trojan Source") or hide text (zero-width) are written as escapes instead, so
 * what an operator reads is what was there.
 */
public final class TerminalText {
  private TerminalText() {}

  /** True for a code point that must not reach a terminal as it is. */
  public static boolean unsafe(int c) {
    return c < 0x20
        || c == 0x7f
        || (c >= 0x80 && c < 0xa0) // C1 controls (CSI…)
        || c == 0x2028
        || c == 0x2029 // line and paragraph separators
        || (c >= 0x200b && c <= 0x200f) // zero-width space/joiners, LRM/RLM
        || (c >= 0x202a && c <= 0x202e) // bidi embeddings and overrides
        || (c >= 0x2066 && c <= 0x2069) // bidi isolates
        || c == 0xfeff; // zero-width no-break space (BOM)
  }

  /**
   * The escape of one unsafe code point: \n, \r, \t, \xNN below 0x100, backslash-u and four hex
   * digits above.
   */
  public static void appendEscape(StringBuilder sb, int c) {
    switch (c) {
      case '\n' -> sb.append("\\n");
      case '\r' -> sb.append("\\r");
      case '\t' -> sb.append("\\t");
      default -> sb.append(c < 0x100 ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
    }
  }

  /**
   * The text with every unsafe code point escaped (backslashes too, so escapes cannot be forged).
   */
  public static String escape(String s) {
    if (s == null) {
      return "null";
    }
    boolean clean = true;
    for (int i = 0; i < s.length() && clean; i++) {
      char ch = s.charAt(i);
      clean = ch != '\\' && !unsafe(ch);
    }
    if (clean) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 16);
    s.codePoints()
        .forEach(
            c -> {
              if (c == '\\') {
                sb.append("\\\\");
              } else if (unsafe(c)) {
                appendEscape(sb, c);
              } else {
                sb.appendCodePoint(c);
              }
            });
    return sb.toString();
  }
}
