package io.github.otelkernel.receiver.cli;

import io.github.otelkernel.receiver.text.TerminalText;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * The agent's own log: one line per message, on stderr. Stack traces only with --debug: an operator
 * gets the cause, not a dump. Messages carry text from outside (paths, Collector error texts), so
 * every control, bidi and invisible character is escaped: no forged lines, no terminal escape
 * sequences.
 */
final class OneLineFormatter extends Formatter {
  private final boolean debug;

  OneLineFormatter(boolean debug) {
    this.debug = debug;
  }

  @Override
  public String format(LogRecord r) {
    StringBuilder sb =
        new StringBuilder(128)
            .append(
                DateTimeFormatter.ISO_INSTANT.format(
                    Instant.ofEpochMilli(r.getMillis()).truncatedTo(ChronoUnit.MILLIS)))
            .append(' ')
            .append(level(r.getLevel()))
            .append(' ')
            .append(TerminalText.escape(formatMessage(r)));
    Throwable t = r.getThrown();
    if (t != null) {
      Throwable cause = t;
      while (cause.getCause() != null && cause.getCause() != cause) {
        cause = cause.getCause();
      }
      if (cause.getMessage() != null && !sb.toString().contains(cause.getMessage())) {
        sb.append(": ").append(TerminalText.escape(cause.getMessage()));
      }
      if (debug) {
        sb.append('\n');
        var w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        sb.append(w);
      }
    }
    return sb.append('\n').toString();
  }

  private static String level(Level l) {
    if (l.intValue() >= Level.SEVERE.intValue()) {
      return "ERROR";
    }
    if (l.intValue() >= Level.WARNING.intValue()) {
      return "WARN ";
    }
    if (l.intValue() >= Level.INFO.intValue()) {
      return "INFO ";
    }
    return "DEBUG";
  }
}
