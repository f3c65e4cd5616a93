package io.github.otelkernel.receiver.export;

import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.*;

import io.github.otelkernel.receiver.text.TerminalText;
import io.github.otelkernel.semconv.EcsCategorization;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEcs;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;

/**
 * One readable line per event for a person watching a terminal, in the spirit of execsnoop.
 * Argument text is quoted and control characters escaped, so a hostile argv cannot forge lines.
 */
public final class ConsoleLogRecordExporter implements LogRecordExporter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());
  private final PrintStream out;
  private boolean headerPrinted;

  public ConsoleLogRecordExporter(PrintStream out) {
    this.out = out;
  }

  @Override
  public synchronized CompletableResultCode export(Collection<LogRecordData> logs) {
    StringBuilder sb = new StringBuilder(logs.size() * 96);
    if (!headerPrinted) {
      sb.append(String.format(FORMAT + "%n", "TIME", "EVENT", "PID", "PPID", "UID", "DETAIL"));
      headerPrinted = true;
    }
    for (LogRecordData log : logs) {
      sb.append(line(log)).append('\n');
    }
    out.print(sb);
    out.flush();
    return out.checkError() ? CompletableResultCode.ofFailure() : CompletableResultCode.ofSuccess();
  }

  static String line(LogRecordData log) {
    Attributes a = log.getAttributes();
    String event = log.getEventName() == null ? "?" : log.getEventName();
    String shortName = event.substring(event.indexOf('.') + 1);
    String detail =
        switch (event) {
          case KsecEvents.PROCESS_EXEC -> {
            String exe = a.get(PROCESS_EXECUTABLE_PATH);
            List<String> args = a.get(PROCESS_COMMAND_ARGS);
            StringBuilder d = new StringBuilder(quote(exe == null ? "?" : exe));
            if (args != null) {
              for (int i = 1; i < args.size(); i++) {
                d.append(' ').append(quote(args.get(i)));
              }
            }
            if (Boolean.TRUE.equals(a.get(KsecAttributes.PROCESS_COMMAND_ARGS_TRUNCATED))) {
              d.append(" [truncated]");
            }
            yield d.toString();
          }
          case KsecEvents.PROCESS_EXIT -> {
            Long code = a.get(PROCESS_EXIT_CODE);
            String sig = a.get(KsecAttributes.PROCESS_EXIT_SIGNAL_NAME);
            yield quote(a.get(KsecAttributes.PROCESS_COMM))
                + (sig != null ? " signal=" + sig : " code=" + code);
          }
          case KsecEvents.PROCESS_FORK -> quote(a.get(KsecAttributes.PROCESS_COMM));
          default -> quote(log.getBodyValue() == null ? "" : log.getBodyValue().asString());
        };
    // a record the agent made itself (a late hash, its health) may have no event time: its
    // observation time stands in
    long nanos =
        log.getTimestampEpochNanos() != 0
            ? log.getTimestampEpochNanos()
            : log.getObservedTimestampEpochNanos();
    return String.format(
        FORMAT,
        nanos == 0 ? "-" : TIME.format(Instant.ofEpochSecond(0, nanos)),
        shortName,
        orDash(a.get(PROCESS_PID)),
        orDash(a.get(PROCESS_PARENT_PID)),
        orDash(a.get(PROCESS_USER_ID)),
        detail);
  }

  /** The EVENT column fits the longest EventName of the catalog, past its domain. */
  static final int EVENT_WIDTH =
      KsecEcs.ALL.stream()
          .map(EcsCategorization::eventName)
          .mapToInt(n -> n.length() - n.indexOf('.') - 1)
          .max()
          .orElse(8);

  private static final String FORMAT = "%-12s %-" + EVENT_WIDTH + "s %7s %7s %6s  %s";

  private static Object orDash(Object v) {
    return v == null ? "-" : v;
  }

  /** Shell-like quoting: plain words stay bare; anything else is single-quoted with escapes. */
  static String quote(String s) {
    if (s == null) {
      return "?";
    }
    // bare only when every character is plain ASCII: bidi and zero-width characters get quoted and
    // escaped
    if (!s.isEmpty()
        && s.chars()
            .allMatch(c -> c > 0x20 && c < 0x7f && "'\"\\$`;&|<>(){}*?!#~ ".indexOf(c) < 0)) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 2).append('\'');
    s.codePoints()
        .forEach(
            c -> {
              switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\'' -> sb.append("\\'");
                default -> {
                  if (TerminalText.unsafe(c)) {
                    TerminalText.appendEscape(sb, c);
                  } else {
                    sb.appendCodePoint(c);
                  }
                }
              }
            });
    return sb.append('\'').toString();
  }

  @Override
  public CompletableResultCode flush() {
    out.flush();
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    out.flush();
    return CompletableResultCode.ofSuccess();
  }
}
