package io.github.otelkernel.receiver.export.events;

import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Attributes and bodies of injection and inspection events (probes/inject.bpf.h). */
final class InjectionEvents {
  /** Request names; the reads and controls appear only when aimed at the agent (every request is, there). */
  private static final Map<Long, String> PTRACE = Map.ofEntries(
      Map.entry(0L, "PTRACE_TRACEME"), Map.entry(1L, "PTRACE_PEEKTEXT"), Map.entry(2L, "PTRACE_PEEKDATA"),
      Map.entry(3L, "PTRACE_PEEKUSER"), Map.entry(4L, "PTRACE_POKETEXT"), Map.entry(5L, "PTRACE_POKEDATA"),
      Map.entry(6L, "PTRACE_POKEUSER"), Map.entry(7L, "PTRACE_CONT"), Map.entry(8L, "PTRACE_KILL"),
      Map.entry(9L, "PTRACE_SINGLESTEP"), Map.entry(12L, "PTRACE_GETREGS"), Map.entry(13L, "PTRACE_SETREGS"),
      Map.entry(14L, "PTRACE_GETFPREGS"), Map.entry(15L, "PTRACE_SETFPREGS"), Map.entry(16L, "PTRACE_ATTACH"),
      Map.entry(17L, "PTRACE_DETACH"), Map.entry(24L, "PTRACE_SYSCALL"), Map.entry(0x4200L, "PTRACE_SETOPTIONS"),
      Map.entry(0x4204L, "PTRACE_GETREGSET"), Map.entry(0x4205L, "PTRACE_SETREGSET"), Map.entry(0x4206L, "PTRACE_SEIZE"),
      Map.entry(0x4207L, "PTRACE_INTERRUPT"));
  private static final long[] MFD_FLAGS = {0x1, 0x2, 0x4, 0x8, 0x10};
  private static final String[] MFD_NAMES = {"MFD_CLOEXEC", "MFD_ALLOW_SEALING", "MFD_HUGETLB", "MFD_NOEXEC_SEAL",
      "MFD_EXEC"};

  private InjectionEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.PTRACE, c -> {
      SysCall e = c.event();
      String req = PTRACE.getOrDefault(e.arg(0), "PTRACE_" + e.arg(0));
      c.attributes().put(KsecAttributes.PTRACE_REQUEST, req);
      if (e.arg(0) == 0) {
        return c.actor() + " asked to be traced by its parent (" + req + ")" + c.outcomeSuffix();
      }
      c.target(e.arg(1));
      return c.actor() + " " + req + " process " + e.arg(1) + agent(e) + c.outcomeSuffix();
    });
    m.put(EventType.VM_READ, c -> {
      c.target(c.event().arg(0));
      return c.actor() + " read" + bytes(c.event()) + " from the memory of process " + c.event().arg(0)
          + agent(c.event()) + c.outcomeSuffix();
    });
    m.put(EventType.VM_WRITE, c -> {
      c.target(c.event().arg(0));
      return c.actor() + " wrote" + bytes(c.event()) + " into the memory of process " + c.event().arg(0)
          + agent(c.event()) + c.outcomeSuffix();
    });
    m.put(EventType.PIDFD_GETFD, c -> {
      SysCall e = c.event();
      c.target(e.arg(0));
      c.attributes().put(KsecAttributes.PIDFD_GETFD_TARGET_FD, e.arg(1));
      String what = "";
      if (!e.string(0).isEmpty()) {
        what = " (" + c.text(0, FILE_PATH, null) + ")";
      }
      return c.actor() + " copied descriptor " + e.arg(1) + what + " of process " + e.arg(0) + agent(e)
          + c.outcomeSuffix();
    });
    m.put(EventType.MEMFD_CREATE, c -> {
      String name = c.text(0, KsecAttributes.MEMFD_NAME, null);
      List<String> flags = new ArrayList<>();
      for (int i = 0; i < MFD_FLAGS.length; i++) {
        if ((c.event().arg(1) & MFD_FLAGS[i]) != 0) {
          flags.add(MFD_NAMES[i]);
        }
      }
      c.attributes().put(KsecAttributes.MEMFD_FLAGS, flags);
      return c.actor() + " created anonymous file memfd:" + name + c.outcomeSuffix();
    });
    m.put(EventType.MEM_WX, c -> {
      SysCall e = c.event();
      boolean mmap = !e.failed() && "mmap".equals(KernelNames.syscall(e.syscall()));
      long addr = mmap ? e.ret() : e.arg(0);
      c.attributes().put(KsecAttributes.MEMORY_ADDRESS, addr);
      c.attributes().put(KsecAttributes.MEMORY_LENGTH, e.arg(1));
      String prot = ((e.arg(2) & 1) != 0 ? "r" : "") + "wx";
      c.attributes().put(KsecAttributes.MEMORY_PROTECTION, prot);
      String file = "";
      if (!e.string(0).isEmpty()) {
        file = " of " + c.text(0, FILE_PATH, null);
      }
      return c.actor() + " made " + e.arg(1) + " bytes" + file + " at 0x" + Long.toHexString(addr)
          + " writable and executable" + c.outcomeSuffix();
    });
  }

  private static String agent(SysCall e) {
    return e.flag(SysCall.FLAG_TARGET_IS_AGENT) ? " (this agent)" : "";
  }

  private static String bytes(SysCall e) {
    return e.failed() ? "" : " " + e.ret() + " bytes";
  }
}
