package io.github.otelkernel.receiver.export.events;

import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Attributes and bodies of kernel and host integrity events (probes/integrity.bpf.h). */
final class IntegrityEvents {
  private static final long[] MS_FLAGS = {1, 2, 4, 8, 16, 32, 64, 1024, 2048, 4096, 8192, 16384, 1 << 15,
      1 << 17, 1 << 18, 1 << 19, 1 << 20, 1 << 21, 1 << 22, 1 << 24};
  private static final String[] MS_NAMES = {"MS_RDONLY", "MS_NOSUID", "MS_NODEV", "MS_NOEXEC", "MS_SYNCHRONOUS",
      "MS_REMOUNT", "MS_MANDLOCK", "MS_NOATIME", "MS_NODIRATIME", "MS_BIND", "MS_MOVE", "MS_REC", "MS_SILENT",
      "MS_UNBINDABLE", "MS_PRIVATE", "MS_SLAVE", "MS_SHARED", "MS_RELATIME", "MS_KERNMOUNT", "MS_STRICTATIME"};
  private static final Set<String> PROPAGATION = Set.of("MS_PRIVATE", "MS_SHARED",
      "MS_SLAVE", "MS_UNBINDABLE");
  private static final long[] UMOUNT_FLAGS = {1, 2, 4, 8};
  private static final String[] UMOUNT_NAMES = {"MNT_FORCE", "MNT_DETACH", "MNT_EXPIRE", "UMOUNT_NOFOLLOW"};
  private static final String[] CLOCKS = {"CLOCK_REALTIME", "CLOCK_MONOTONIC", "CLOCK_PROCESS_CPUTIME_ID",
      "CLOCK_THREAD_CPUTIME_ID", "CLOCK_MONOTONIC_RAW", "CLOCK_REALTIME_COARSE", "CLOCK_MONOTONIC_COARSE",
      "CLOCK_BOOTTIME", "CLOCK_REALTIME_ALARM", "CLOCK_BOOTTIME_ALARM", null, "CLOCK_TAI"};

  private IntegrityEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.MODULE_LOAD, c -> {
      SysCall e = c.event();
      String what = "a kernel module from memory";
      if (!e.string(0).isEmpty()) {
        what = "kernel module " + c.text(0, FILE_PATH, null);
      }
      if (!e.string(1).isEmpty()) {
        c.text(1, KsecAttributes.MODULE_PARAMETERS, null);
      }
      return c.actor() + " loaded " + what + c.outcomeSuffix();
    });
    m.put(EventType.MODULE_UNLOAD, c -> c.actor() + " unloaded kernel module "
        + c.text(2, KsecAttributes.MODULE_NAME, null) + c.outcomeSuffix());
    m.put(EventType.KEXEC_LOAD, c -> {
      SysCall e = c.event();
      if (e.arg(3) != 0) {
        String image = e.string(0).isEmpty() ? "?" : c.text(0, FILE_PATH, null);
        if (!e.string(1).isEmpty()) {
          c.text(1, KsecAttributes.KEXEC_COMMAND_LINE, null);
        }
        return c.actor() + " staged kernel " + image + " for kexec" + c.outcomeSuffix();
      }
      c.attributes().put(KsecAttributes.KEXEC_SEGMENTS, e.arg(1));
      return c.actor() + " staged a new kernel for kexec (" + e.arg(1) + " segments)" + c.outcomeSuffix();
    });
    m.put(EventType.BPF_LOAD, c -> {
      SysCall e = c.event();
      var a = c.attributes();
      String type = KernelNames.bpfProgramType((int) e.arg(0));
      a.put(KsecAttributes.BPF_PROGRAM_TYPE, type);
      a.put(KsecAttributes.BPF_PROGRAM_INSTRUCTIONS, e.arg(1));
      if (e.arg(2) != 0) {
        a.put(KsecAttributes.BPF_ATTACH_TYPE, KernelNames.bpfAttachType((int) e.arg(2)));
      }
      if (e.arg(3) != 0) {
        a.put(KsecAttributes.BPF_PROGRAM_ID, e.arg(3));
      }
      String name = "";
      if (!e.string(0).isEmpty()) {
        name = " " + c.text(0, KsecAttributes.BPF_PROGRAM_NAME, null);
      }
      return c.actor() + " loaded BPF " + type + " program" + name + c.outcomeSuffix();
    });
    m.put(EventType.BPF_TAMPER, c -> {
      SysCall e = c.event();
      var a = c.attributes();
      String command = KernelNames.bpfCommand((int) e.arg(0));
      String kind = switch ((int) e.arg(1)) {
        case 1 -> "map";
        case 2 -> "program";
        case 3 -> "link";
        default -> "object";
      };
      a.put(KsecAttributes.BPF_COMMAND, command);
      a.put(KsecAttributes.BPF_OBJECT_TYPE, kind);
      a.put(KsecAttributes.BPF_OBJECT_ID, e.arg(2));
      a.put(KsecAttributes.TARGET_PROCESS_IS_AGENT, true);
      String name = "";
      if (!e.string(0).isEmpty()) {
        name = " " + c.text(0, KsecAttributes.BPF_OBJECT_NAME, null);
      }
      return c.actor() + " used " + command + " on this agent's BPF " + kind + name + " (id " + e.arg(2) + ")"
          + c.outcomeSuffix();
    });
    m.put(EventType.MOUNT, c -> {
      SysCall e = c.event();
      var a = c.attributes();
      String target = path(c, 0, KsecAttributes.MOUNT_TARGET);
      boolean move = e.arg(1) != 0;
      String source = "";
      if (!e.string(1).isEmpty()) {
        source = c.text(1, KsecAttributes.MOUNT_SOURCE, null);
      }
      String fstype = "";
      if (!e.string(2).isEmpty()) {
        fstype = c.text(2, KsecAttributes.MOUNT_FSTYPE, null);
      }
      List<String> flags = move ? List.of() : names(e.arg(0), MS_FLAGS, MS_NAMES);
      a.put(KsecAttributes.MOUNT_FLAGS, flags);
      List<String> propagation = flags.stream().filter(PROPAGATION::contains).toList();
      String what = move ? "attached a mount" : !propagation.isEmpty() && fstype.isEmpty()
          ? "made mounts " + String.join(",", propagation).replace("MS_", "").toLowerCase(Locale.ROOT)
          + (flags.contains("MS_REC") ? " (recursively)" : "")
          : flags.contains("MS_BIND") ? "bind-mounted " + source
          : flags.contains("MS_REMOUNT") ? "remounted" : "mounted " + (source.isEmpty() ? "" : source + " ")
          + (fstype.isEmpty() ? "" : "(" + fstype + ")");
      return c.actor() + " " + what.strip() + " on " + target + c.outcomeSuffix();
    });
    m.put(EventType.UMOUNT, c -> {
      String target = path(c, 0, KsecAttributes.MOUNT_TARGET);
      c.attributes().put(KsecAttributes.MOUNT_FLAGS, names(c.event().arg(0), UMOUNT_FLAGS, UMOUNT_NAMES));
      return c.actor() + " unmounted " + target + c.outcomeSuffix();
    });
    m.put(EventType.PIVOT_ROOT, c -> {
      String root = path(c, 0, KsecAttributes.MOUNT_TARGET);
      String old = path(c, 1, KsecAttributes.MOUNT_PUT_OLD);
      return c.actor() + " switched its root to " + root + " (old root at " + old + ")" + c.outcomeSuffix();
    });
    m.put(EventType.CLOCK_SET, c -> {
      SysCall e = c.event();
      int id = (int) e.arg(0);
      String clock = id >= 0 && id < CLOCKS.length && CLOCKS[id] != null ? CLOCKS[id] : "CLOCK_" + id;
      c.attributes().put(KsecAttributes.CLOCK_NAME, clock);
      if (e.arg(3) != 0) {
        long offset = nanos(e.arg(1), e.arg(2));
        c.attributes().put(KsecAttributes.CLOCK_OFFSET_NS, offset);
        return c.actor() + " stepped " + clock + " by " + (offset / 1_000_000) + " ms" + c.outcomeSuffix();
      }
      String time = SysEventContext.iso(e.arg(1), e.arg(2));
      c.attributes().put(KsecAttributes.CLOCK_TIME, time);
      return c.actor() + " set " + clock + " to " + time + c.outcomeSuffix();
    });
  }

  /** A path of the record, with "." and ".." resolved by name, as one attribute. */
  private static String path(SysEventContext c, int slot, AttributeKey<String> key) {
    String p = FileEvents.normalize(c.event().string(slot).text());
    c.attributes().put(key, p);
    return p;
  }

  /** seconds and nanoseconds as nanoseconds, saturated: a hostile offset may be absurd on purpose */
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
