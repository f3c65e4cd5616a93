package io.github.otelkernel.receiver.export.events;

/**
 * Maps one type of system-call event: adds its attributes and returns the record's body template.
 */
@FunctionalInterface
public interface SysEventMapper {
  BodyTemplate map(SysEventContext c);
}
