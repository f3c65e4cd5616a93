package io.github.otelkernel.receiver.export.events;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.SysPayload;
import java.util.EnumMap;
import java.util.Map;

/** Every system-call event type and the mapper that turns it into attributes and a body. */
public final class SysEventMappers {
  private static final Map<EventType, SysEventMapper> MAPPERS = new EnumMap<>(EventType.class);

  static {
    FileEvents.register(MAPPERS);
    NetworkEvents.register(MAPPERS);
    CredentialEvents.register(MAPPERS);
    InjectionEvents.register(MAPPERS);
    IntegrityEvents.register(MAPPERS);
    IoUringEvents.register(MAPPERS);
  }

  private SysEventMappers() {}

  /**
   * A mapper of one payload kind: it gets the typed payload, never the record's args by index, and
   * returns a body that refers to the record's attributes (rendered after redaction) for every
   * value that comes from the event.
   */
  @FunctionalInterface
  interface Templated<P extends SysPayload> {
    BodyTemplate map(P payload, SysEventContext c);
  }

  static <P extends SysPayload> SysEventMapper templated(Class<P> kind, Templated<P> m) {
    return c -> m.map(kind.cast(c.payload()), c);
  }

  public static SysEventMapper forType(EventType type) {
    return MAPPERS.getOrDefault(
        type,
        c ->
            c.actorBody()
                .text(
                    " called "
                        + io.github.otelkernel.receiver.decode.KernelNames.syscall(
                            c.event().syscall())
                        + c.outcomeSuffix())
                .build());
  }
}
