package io.github.otelkernel.receiver.export.events;

import io.github.otelkernel.receiver.decode.EventType;
import java.util.Map;

/** Attributes and bodies of the kernel and host integrity events. */
final class IntegrityEvents {
  private IntegrityEvents() {}

  /** No probes emit these yet (ebpf-probes/src/probes/); records would get the generic body. */
  static void register(Map<EventType, SysEventMapper> m) {
  }
}
