package io.github.otelkernel.receiver.export;

/** EventName of each log record the agent emits: {@code <domain>.<action>}. */
public final class EventNames {
  public static final String PROCESS_EXEC = "process.exec";
  public static final String PROCESS_FORK = "process.fork";
  public static final String PROCESS_EXIT = "process.exit";

  private EventNames() {}
}
