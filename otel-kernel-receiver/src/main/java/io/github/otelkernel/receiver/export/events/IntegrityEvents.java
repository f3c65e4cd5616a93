package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.SysPayload.BpfLoad;
import io.github.otelkernel.receiver.decode.SysPayload.BpfTamper;
import io.github.otelkernel.receiver.decode.SysPayload.ClockSet;
import io.github.otelkernel.receiver.decode.SysPayload.KexecLoad;
import io.github.otelkernel.receiver.decode.SysPayload.ModuleLoad;
import io.github.otelkernel.receiver.decode.SysPayload.ModuleUnload;
import io.github.otelkernel.receiver.decode.SysPayload.Mount;
import io.github.otelkernel.receiver.decode.SysPayload.PivotRoot;
import io.github.otelkernel.receiver.decode.SysPayload.Umount;
import io.github.otelkernel.receiver.decode.SysString;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Attributes and bodies of kernel and host integrity events (probes/integrity.bpf.h). */
final class IntegrityEvents {
  private static final long[] MS_FLAGS = {
    1, 2, 4, 8, 16, 32, 64, 1024, 2048, 4096, 8192, 16384, 1 << 15, 1 << 17, 1 << 18, 1 << 19,
    1 << 20, 1 << 21, 1 << 22, 1 << 24
  };
  private static final String[] MS_NAMES = {
    "MS_RDONLY",
    "MS_NOSUID",
    "MS_NODEV",
    "MS_NOEXEC",
    "MS_SYNCHRONOUS",
    "MS_REMOUNT",
    "MS_MANDLOCK",
    "MS_NOATIME",
    "MS_NODIRATIME",
    "MS_BIND",
    "MS_MOVE",
    "MS_REC",
    "MS_SILENT",
    "MS_UNBINDABLE",
    "MS_PRIVATE",
    "MS_SLAVE",
    "MS_SHARED",
    "MS_RELATIME",
    "MS_KERNMOUNT",
    "MS_STRICTATIME"
  };
  private static final Set<String> PROPAGATION =
      Set.of("MS_PRIVATE", "MS_SHARED", "MS_SLAVE", "MS_UNBINDABLE");
  private static final long[] UMOUNT_FLAGS = {1, 2, 4, 8};
  private static final String[] UMOUNT_NAMES = {
    "MNT_FORCE", "MNT_DETACH", "MNT_EXPIRE", "UMOUNT_NOFOLLOW"
  };
  private static final String[] CLOCKS = {
    "CLOCK_REALTIME",
    "CLOCK_MONOTONIC",
    "CLOCK_PROCESS_CPUTIME_ID",
    "CLOCK_THREAD_CPUTIME_ID",
    "CLOCK_MONOTONIC_RAW",
    "CLOCK_REALTIME_COARSE",
    "CLOCK_MONOTONIC_COARSE",
    "CLOCK_BOOTTIME",
    "CLOCK_REALTIME_ALARM",
    "CLOCK_BOOTTIME_ALARM",
    null,
    "CLOCK_TAI"
  };

  private IntegrityEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(
        EventType.MODULE_LOAD,
        templated(
            ModuleLoad.class,
            (e, c) -> {
              BodyTemplate.Builder b = c.actorBody().text(" loaded ");
              if (e.path().isEmpty()) {
                b.text("a kernel module from memory");
              } else {
                c.text(e.path(), FILE_PATH, null);
                b.text("kernel module ").ref(FILE_PATH);
              }
              if (!e.parameters().isEmpty()) {
                c.text(e.parameters(), KsecAttributes.MODULE_PARAMETERS, null);
              }
              return b.text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.MODULE_UNLOAD,
        templated(
            ModuleUnload.class,
            (e, c) -> {
              c.text(e.name(), KsecAttributes.MODULE_NAME, null);
              return c.actorBody()
                  .text(" unloaded kernel module ")
                  .ref(KsecAttributes.MODULE_NAME)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.KEXEC_LOAD,
        templated(
            KexecLoad.class,
            (e, c) -> {
              if (e.fileLoad()) {
                BodyTemplate.Builder b = c.actorBody().text(" staged kernel ");
                if (e.image().isEmpty()) {
                  b.text("?");
                } else {
                  c.text(e.image(), FILE_PATH, null);
                  b.ref(FILE_PATH);
                }
                if (!e.commandLine().isEmpty()) {
                  c.text(e.commandLine(), KsecAttributes.KEXEC_COMMAND_LINE, null);
                }
                return b.text(" for kexec" + c.outcomeSuffix()).build();
              }
              c.attributes().put(KsecAttributes.KEXEC_SEGMENTS, e.segments());
              return c.actorBody()
                  .text(" staged a new kernel for kexec (")
                  .ref(KsecAttributes.KEXEC_SEGMENTS)
                  .text(" segments)" + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.BPF_LOAD,
        templated(
            BpfLoad.class,
            (e, c) -> {
              var a = c.attributes();
              String type = KernelNames.bpfProgramType(e.programType());
              a.put(KsecAttributes.BPF_PROGRAM_TYPE, type);
              a.put(KsecAttributes.BPF_PROGRAM_INSTRUCTIONS, e.instructions());
              if (e.attachType() != 0) {
                a.put(KsecAttributes.BPF_ATTACH_TYPE, KernelNames.bpfAttachType(e.attachType()));
              }
              if (e.programId() != 0) {
                a.put(KsecAttributes.BPF_PROGRAM_ID, e.programId());
              }
              BodyTemplate.Builder b =
                  c.actorBody()
                      .text(" loaded BPF ")
                      .ref(KsecAttributes.BPF_PROGRAM_TYPE)
                      .text(" program");
              if (!e.name().isEmpty()) {
                c.text(e.name(), KsecAttributes.BPF_PROGRAM_NAME, null);
                b.text(" ").ref(KsecAttributes.BPF_PROGRAM_NAME);
              }
              return b.text(c.outcomeSuffix()).build();
            }));
    m.put(
        EventType.BPF_TAMPER,
        templated(
            BpfTamper.class,
            (e, c) -> {
              var a = c.attributes();
              String command = KernelNames.bpfCommand(e.command());
              String kind =
                  switch (e.objectKind()) {
                    case 1 -> "map";
                    case 2 -> "program";
                    case 3 -> "link";
                    default -> "object";
                  };
              a.put(KsecAttributes.BPF_COMMAND, command);
              a.put(KsecAttributes.BPF_OBJECT_TYPE, kind);
              a.put(KsecAttributes.BPF_OBJECT_ID, e.objectId());
              a.put(KsecAttributes.TARGET_PROCESS_IS_AGENT, true);
              BodyTemplate.Builder b =
                  c.actorBody()
                      .text(" used ")
                      .ref(KsecAttributes.BPF_COMMAND)
                      .text(" on this agent's BPF ")
                      .ref(KsecAttributes.BPF_OBJECT_TYPE);
              if (!e.name().isEmpty()) {
                c.text(e.name(), KsecAttributes.BPF_OBJECT_NAME, null);
                b.text(" ").ref(KsecAttributes.BPF_OBJECT_NAME);
              }
              return b.text(" (id ")
                  .ref(KsecAttributes.BPF_OBJECT_ID)
                  .text(")" + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.MOUNT,
        templated(
            Mount.class,
            (e, c) -> {
              var a = c.attributes();
              path(c, e.target(), KsecAttributes.MOUNT_TARGET);
              boolean move = e.move();
              boolean source = !e.source().isEmpty();
              if (source) {
                c.text(e.source(), KsecAttributes.MOUNT_SOURCE, null);
              }
              boolean fstype = !e.fstype().isEmpty();
              if (fstype) {
                c.text(e.fstype(), KsecAttributes.MOUNT_FSTYPE, null);
              }
              List<String> flags = move ? List.of() : names(e.flags(), MS_FLAGS, MS_NAMES);
              a.put(KsecAttributes.MOUNT_FLAGS, flags);
              List<String> propagation = flags.stream().filter(PROPAGATION::contains).toList();
              BodyTemplate.Builder b = c.actorBody().text(" ");
              if (move) {
                b.text("attached a mount");
              } else if (!propagation.isEmpty() && !fstype) {
                // names of MS_* bits, not bytes of the event
                b.text(
                    "made mounts "
                        + String.join(",", propagation).replace("MS_", "").toLowerCase(Locale.ROOT)
                        + (flags.contains("MS_REC") ? " (recursively)" : ""));
              } else if (flags.contains("MS_BIND")) {
                b.text("bind-mounted");
                if (source) {
                  b.text(" ").ref(KsecAttributes.MOUNT_SOURCE);
                }
              } else if (flags.contains("MS_REMOUNT")) {
                b.text("remounted");
              } else {
                b.text("mounted");
                if (source) {
                  b.text(" ").ref(KsecAttributes.MOUNT_SOURCE);
                }
                if (fstype) {
                  b.text(" (").ref(KsecAttributes.MOUNT_FSTYPE).text(")");
                }
              }
              return b.text(" on ")
                  .ref(KsecAttributes.MOUNT_TARGET)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.UMOUNT,
        templated(
            Umount.class,
            (e, c) -> {
              path(c, e.target(), KsecAttributes.MOUNT_TARGET);
              c.attributes()
                  .put(KsecAttributes.MOUNT_FLAGS, names(e.flags(), UMOUNT_FLAGS, UMOUNT_NAMES));
              return c.actorBody()
                  .text(" unmounted ")
                  .ref(KsecAttributes.MOUNT_TARGET)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.PIVOT_ROOT,
        templated(
            PivotRoot.class,
            (e, c) -> {
              path(c, e.newRoot(), KsecAttributes.MOUNT_TARGET);
              path(c, e.putOld(), KsecAttributes.MOUNT_PUT_OLD);
              return c.actorBody()
                  .text(" switched its root to ")
                  .ref(KsecAttributes.MOUNT_TARGET)
                  .text(" (old root at ")
                  .ref(KsecAttributes.MOUNT_PUT_OLD)
                  .text(")" + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.CLOCK_SET,
        templated(
            ClockSet.class,
            (e, c) -> {
              int id = e.clock();
              String clock =
                  id >= 0 && id < CLOCKS.length && CLOCKS[id] != null ? CLOCKS[id] : "CLOCK_" + id;
              c.attributes().put(KsecAttributes.CLOCK_NAME, clock);
              if (e.offset()) {
                long offset = nanos(e.seconds(), e.nanoseconds());
                c.attributes().put(KsecAttributes.CLOCK_OFFSET_NS, offset);
                // in milliseconds, the attribute in nanoseconds: a number we compute
                return c.actorBody()
                    .text(" stepped ")
                    .ref(KsecAttributes.CLOCK_NAME)
                    .text(" by " + (offset / 1_000_000) + " ms" + c.outcomeSuffix())
                    .build();
              }
              String time = SysEventContext.iso(e.seconds(), e.nanoseconds());
              c.attributes().put(KsecAttributes.CLOCK_TIME, time);
              return c.actorBody()
                  .text(" set ")
                  .ref(KsecAttributes.CLOCK_NAME)
                  .text(" to ")
                  .ref(KsecAttributes.CLOCK_TIME)
                  .text(c.outcomeSuffix())
                  .build();
            }));
  }

  /** A path of the record, with "." and ".." resolved by name, as one attribute. */
  private static void path(SysEventContext c, SysString slot, AttributeKey<String> key) {
    c.attributes().put(key, FileEvents.normalize(slot.text()));
  }

  /**
   * seconds and nanoseconds as nanoseconds, saturated: a hostile offset may be absurd on purpose
   */
  private static long nanos(long seconds, long nanos) {
    try {
      return Math.addExact(Math.multiplyExact(seconds, 1_000_000_000L), nanos);
    } catch (ArithmeticException e) {
      return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  private static List<String> names(long value, long[] bits, String[] names) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < bits.length; i++) {
      if ((value & bits[i]) != 0) {
        out.add(names[i]);
      }
    }
    return out;
  }
}
