package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.SysPayload.MemfdCreate;
import io.github.otelkernel.receiver.decode.SysPayload.MemoryWx;
import io.github.otelkernel.receiver.decode.SysPayload.PidfdGetfd;
import io.github.otelkernel.receiver.decode.SysPayload.Ptrace;
import io.github.otelkernel.receiver.decode.SysPayload.VmAccess;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Attributes and bodies of injection and inspection events (probes/inject.bpf.h). */
final class InjectionEvents {
  /**
   * Request names; the reads and controls appear only when aimed at the agent (every request is,
   * there).
   */
  private static final Map<Long, String> PTRACE =
      Map.ofEntries(
          Map.entry(0L, "PTRACE_TRACEME"),
          Map.entry(1L, "PTRACE_PEEKTEXT"),
          Map.entry(2L, "PTRACE_PEEKDATA"),
          Map.entry(3L, "PTRACE_PEEKUSER"),
          Map.entry(4L, "PTRACE_POKETEXT"),
          Map.entry(5L, "PTRACE_POKEDATA"),
          Map.entry(6L, "PTRACE_POKEUSER"),
          Map.entry(7L, "PTRACE_CONT"),
          Map.entry(8L, "PTRACE_KILL"),
          Map.entry(9L, "PTRACE_SINGLESTEP"),
          Map.entry(12L, "PTRACE_GETREGS"),
          Map.entry(13L, "PTRACE_SETREGS"),
          Map.entry(14L, "PTRACE_GETFPREGS"),
          Map.entry(15L, "PTRACE_SETFPREGS"),
          Map.entry(16L, "PTRACE_ATTACH"),
          Map.entry(17L, "PTRACE_DETACH"),
          Map.entry(24L, "PTRACE_SYSCALL"),
          Map.entry(0x4200L, "PTRACE_SETOPTIONS"),
          Map.entry(0x4204L, "PTRACE_GETREGSET"),
          Map.entry(0x4205L, "PTRACE_SETREGSET"),
          Map.entry(0x4206L, "PTRACE_SEIZE"),
          Map.entry(0x4207L, "PTRACE_INTERRUPT"));

  private static final long[] MFD_FLAGS = {0x1, 0x2, 0x4, 0x8, 0x10};
  private static final String[] MFD_NAMES = {
    "MFD_CLOEXEC", "MFD_ALLOW_SEALING", "MFD_HUGETLB", "MFD_NOEXEC_SEAL", "MFD_EXEC"
  };

  private InjectionEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(
        EventType.PTRACE,
        templated(
            Ptrace.class,
            (e, c) -> {
              String req = PTRACE.getOrDefault(e.request(), "PTRACE_" + e.request());
              c.attributes().put(KsecAttributes.PTRACE_REQUEST, req);
              if (e.request() == 0) {
                return c.actorBody()
                    .text(" asked to be traced by its parent (")
                    .ref(KsecAttributes.PTRACE_REQUEST)
                    .text(")" + c.outcomeSuffix())
                    .build();
              }
              c.target(e.pid());
              return c.actorBody()
                  .text(" ")
                  .ref(KsecAttributes.PTRACE_REQUEST)
                  .text(" process ")
                  .ref(KsecAttributes.TARGET_PROCESS_PID)
                  .text(agent(e.call()) + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.VM_READ,
        templated(
            VmAccess.class,
            (e, c) -> {
              c.target(e.pid());
              return bytes(c.actorBody().text(" read"), e.call())
                  .text(" from the memory of process ")
                  .ref(KsecAttributes.TARGET_PROCESS_PID)
                  .text(agent(e.call()) + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.VM_WRITE,
        templated(
            VmAccess.class,
            (e, c) -> {
              c.target(e.pid());
              return bytes(c.actorBody().text(" wrote"), e.call())
                  .text(" into the memory of process ")
                  .ref(KsecAttributes.TARGET_PROCESS_PID)
                  .text(agent(e.call()) + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.PIDFD_GETFD,
        templated(
            PidfdGetfd.class,
            (e, c) -> {
              c.target(e.pid());
              c.attributes().put(KsecAttributes.PIDFD_GETFD_TARGET_FD, e.fd());
              BodyTemplate.Builder b =
                  c.actorBody()
                      .text(" copied descriptor ")
                      .ref(KsecAttributes.PIDFD_GETFD_TARGET_FD);
              if (!e.path().isEmpty()) {
                c.text(e.path(), FILE_PATH, null);
                b.text(" (").ref(FILE_PATH).text(")");
              }
              return b.text(" of process ")
                  .ref(KsecAttributes.TARGET_PROCESS_PID)
                  .text(agent(e.call()) + c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.MEMFD_CREATE,
        templated(
            MemfdCreate.class,
            (e, c) -> {
              c.text(e.name(), KsecAttributes.MEMFD_NAME, null);
              List<String> flags = new ArrayList<>();
              for (int i = 0; i < MFD_FLAGS.length; i++) {
                if ((e.flags() & MFD_FLAGS[i]) != 0) {
                  flags.add(MFD_NAMES[i]);
                }
              }
              c.attributes().put(KsecAttributes.MEMFD_FLAGS, flags);
              return c.actorBody()
                  .text(" created anonymous file memfd:")
                  .ref(KsecAttributes.MEMFD_NAME)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(
        EventType.MEM_WX,
        templated(
            MemoryWx.class,
            (e, c) -> {
              SysCall call = e.call();
              boolean mmap = !call.failed() && "mmap".equals(KernelNames.syscall(call.syscall()));
              long addr = mmap ? call.ret() : e.address();
              c.attributes().put(KsecAttributes.MEMORY_ADDRESS, addr);
              c.attributes().put(KsecAttributes.MEMORY_LENGTH, e.length());
              String prot = ((e.protection() & 1) != 0 ? "r" : "") + "wx";
              c.attributes().put(KsecAttributes.MEMORY_PROTECTION, prot);
              BodyTemplate.Builder b =
                  c.actorBody().text(" made ").ref(KsecAttributes.MEMORY_LENGTH).text(" bytes");
              if (!e.path().isEmpty()) {
                c.text(e.path(), FILE_PATH, null);
                b.text(" of ").ref(FILE_PATH);
              }
              // the address in hex, as memory maps show it; formatted here from a number
              return b.text(
                      " at 0x"
                          + Long.toHexString(addr)
                          + " writable and executable"
                          + c.outcomeSuffix())
                  .build();
            }));
  }

  private static String agent(SysCall e) {
    return e.flag(SysCall.FLAG_TARGET_IS_AGENT) ? " (this agent)" : "";
  }

  /** " N bytes" of a call that did not fail: N is its return value (a record of a system call). */
  private static BodyTemplate.Builder bytes(BodyTemplate.Builder b, SysCall e) {
    if (e.failed()) {
      return b;
    }
    b.text(" ");
    return (e.syscall() != -1
            ? b.ref(KsecAttributes.SYSCALL_RETURN)
            : b.text(Long.toString(e.ret())))
        .text(" bytes");
  }
}
