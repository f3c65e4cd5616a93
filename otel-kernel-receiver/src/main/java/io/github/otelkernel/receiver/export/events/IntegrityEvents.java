package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.typed;
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
        typed(
            ModuleLoad.class,
            (e, c) -> {
              String what = "a kernel module from memory";
              if (!e.path().isEmpty()) {
                what = "kernel module " + c.text(e.path(), FILE_PATH, null);
              }
              if (!e.parameters().isEmpty()) {
                c.text(e.parameters(), KsecAttributes.MODULE_PARAMETERS, null);
              }
              return c.actor() + " loaded " + what + c.outcomeSuffix();
            }));
    m.put(
        EventType.MODULE_UNLOAD,
        typed(
            ModuleUnload.class,
            (e, c) ->
                c.actor()
                    + " unloaded kernel module "
                    + c.text(e.name(), KsecAttributes.MODULE_NAME, null)
                    + c.outcomeSuffix()));
    m.put(
        EventType.KEXEC_LOAD,
        typed(
            KexecLoad.class,
            (e, c) -> {
              if (e.fileLoad()) {
                String image = e.image().isEmpty() ? "?" : c.text(e.image(), FILE_PATH, null);
                if (!e.commandLine().isEmpty()) {
                  c.text(e.commandLine(), KsecAttributes.KEXEC_COMMAND_LINE, null);
                }
                return c.actor() + " staged kernel " + image + " for kexec" + c.outcomeSuffix();
              }
              c.attributes().put(KsecAttributes.KEXEC_SEGMENTS, e.segments());
              return c.actor()
                  + " staged a new kernel for kexec ("
                  + e.segments()
                  + " segments)"
                  + c.outcomeSuffix();
            }));
    m.put(
        EventType.BPF_LOAD,
        typed(
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
              String name = "";
              if (!e.name().isEmpty()) {
                name = " " + c.text(e.name(), KsecAttributes.BPF_PROGRAM_NAME, null);
              }
              return c.actor() + " loaded BPF " + type + " program" + name + c.outcomeSuffix();
            }));
    m.put(
        EventType.BPF_TAMPER,
        typed(
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
              String name = "";
              if (!e.name().isEmpty()) {
                name = " " + c.text(e.name(), KsecAttributes.BPF_OBJECT_NAME, null);
              }
              return c.actor()
                  + " used "
                  + command
                  + " on this agent's BPF "
                  + kind
                  + name
                  + " (id "
                  + e.objectId()
                  + ")"
                  + c.outcomeSuffix();
            }));
    m.put(
        EventType.MOUNT,
        typed(
            Mount.class,
            (e, c) -> {
              var a = c.attributes();
              String target = path(c, e.target(), KsecAttributes.MOUNT_TARGET);
              boolean move = e.move();
              String source = "";
              if (!e.source().isEmpty()) {
                source = c.text(e.source(), KsecAttributes.MOUNT_SOURCE, null);
              }
              String fstype = "";
              if (!e.fstype().isEmpty()) {
                fstype = c.text(e.fstype(), KsecAttributes.MOUNT_FSTYPE, null);
              }
              List<String> flags = move ? List.of() : names(e.flags(), MS_FLAGS, MS_NAMES);
              a.put(KsecAttributes.MOUNT_FLAGS, flags);
              List<String> propagation = flags.stream().filter(PROPAGATION::contains).toList();
              String what =
                  move
                      ? "attached a mount"
                      : !propagation.isEmpty() && fstype.isEmpty()
                          ? "made mounts "
                              + String.join(",", propagation)
                                  .replace("MS_", "")
                                  .toLowerCase(Locale.ROOT)
                              + (flags.contains("MS_REC") ? " (recursively)" : "")
                          : flags.contains("MS_BIND")
                              ? "bind-mounted " + source
                              : flags.contains("MS_REMOUNT")
                                  ? "remounted"
                                  : "mounted "
                                      + (source.isEmpty() ? "" : source + " ")
                                      + (fstype.isEmpty() ? "" : "(" + fstype + ")");
              return c.actor() + " " + what.strip() + " on " + target + c.outcomeSuffix();
            }));
    m.put(
        EventType.UMOUNT,
        typed(
            Umount.class,
            (e, c) -> {
              String target = path(c, e.target(), KsecAttributes.MOUNT_TARGET);
              c.attributes()
                  .put(KsecAttributes.MOUNT_FLAGS, names(e.flags(), UMOUNT_FLAGS, UMOUNT_NAMES));
              return c.actor() + " unmounted " + target + c.outcomeSuffix();
            }));
    m.put(
        EventType.PIVOT_ROOT,
        typed(
            PivotRoot.class,
            (e, c) -> {
              String root = path(c, e.newRoot(), KsecAttributes.MOUNT_TARGET);
              String old = path(c, e.putOld(), KsecAttributes.MOUNT_PUT_OLD);
              return c.actor()
                  + " switched its root to "
                  + root
                  + " (old root at "
                  + old
                  + ")"
                  + c.outcomeSuffix();
            }));
    m.put(
        EventType.CLOCK_SET,
        typed(
            ClockSet.class,
            (e, c) -> {
              int id = e.clock();
              String clock =
                  id >= 0 && id < CLOCKS.length && CLOCKS[id] != null ? CLOCKS[id] : "CLOCK_" + id;
              c.attributes().put(KsecAttributes.CLOCK_NAME, clock);
              if (e.offset()) {
                long offset = nanos(e.seconds(), e.nanoseconds());
                c.attributes().put(KsecAttributes.CLOCK_OFFSET_NS, offset);
                return c.actor()
                    + " stepped "
                    + clock
                    + " by "
                    + (offset / 1_000_000)
                    + " ms"
                    + c.outcomeSuffix();
              }
              String time = SysEventContext.iso(e.seconds(), e.nanoseconds());
              c.attributes().put(KsecAttributes.CLOCK_TIME, time);
              return c.actor() + " set " + clock + " to " + time + c.outcomeSuffix();
            }));
  }

  /** A path of the record, with "." and ".." resolved by name, as one attribute. */
  private static String path(SysEventContext c, SysString slot, AttributeKey<String> key) {
    String p = FileEvents.normalize(slot.text());
    c.attributes().put(key, p);
    return p;
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
