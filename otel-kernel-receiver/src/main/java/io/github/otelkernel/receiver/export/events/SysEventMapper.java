package io.github.otelkernel.receiver.export.events;

/** Maps one type of system-call event: adds its attributes and returns the record's body. */
@FunctionalInterface
public interface SysEventMapper {
  String map(SysEventContext c);
}
