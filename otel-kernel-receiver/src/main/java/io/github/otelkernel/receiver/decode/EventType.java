package io.github.otelkernel.receiver.decode;

import io.github.otelkernel.semconv.KsecEvents;
import java.util.Optional;

/**
 * The kernel's record types ({@code enum event_type} in {@code ebpf-probes/src/events.h}), each with
 * the EventName it becomes and the name the policy's {@code events} section knows it by. Two kernel
 * types may share an EventName: a write-intent open and a watched read are both {@code file.open},
 * but the policy turns them on and off separately.
 */
public enum EventType {
  EXEC(1, KsecEvents.PROCESS_EXEC, "process.exec"),
  FORK(2, KsecEvents.PROCESS_FORK, "process.fork"),
  EXIT(3, KsecEvents.PROCESS_EXIT, "process.exit"),
  SETUID(8, KsecEvents.PROCESS_SETUID, "process.setuid"),
  SETGID(9, KsecEvents.PROCESS_SETGID, "process.setgid"),
  CAPSET(10, KsecEvents.PROCESS_CAPSET, "process.capset"),
  PRCTL(11, KsecEvents.PROCESS_PRCTL, "process.prctl"),
  CAP_USE(12, KsecEvents.PROCESS_CAPABILITY_USE, "process.capability_use"),
  SIGNAL(13, KsecEvents.PROCESS_SIGNAL, "process.signal"),
  SETNS(14, KsecEvents.PROCESS_SETNS, "process.setns"),
  UNSHARE(15, KsecEvents.PROCESS_UNSHARE, "process.unshare"),
  PTRACE(16, KsecEvents.PROCESS_PTRACE, "process.ptrace"),
  VM_READ(17, KsecEvents.PROCESS_VM_READ, "process.vm_read"),
  VM_WRITE(18, KsecEvents.PROCESS_VM_WRITE, "process.vm_write"),
  MEMFD_CREATE(19, KsecEvents.PROCESS_MEMFD_CREATE, "process.memfd_create"),
  MEM_WX(20, KsecEvents.PROCESS_MEMORY_WX, "process.memory_wx"),
  PIDFD_GETFD(21, KsecEvents.PROCESS_PIDFD_GETFD, "process.pidfd_getfd"),
  FILE_OPEN(24, KsecEvents.FILE_OPEN, "file.open"),
  FILE_READ(25, KsecEvents.FILE_OPEN, "file.read"),
  FILE_UNLINK(26, KsecEvents.FILE_UNLINK, "file.unlink"),
  FILE_RENAME(27, KsecEvents.FILE_RENAME, "file.rename"),
  FILE_CHMOD(28, KsecEvents.FILE_CHMOD, "file.chmod"),
  FILE_CHOWN(29, KsecEvents.FILE_CHOWN, "file.chown"),
  FILE_LINK(30, KsecEvents.FILE_LINK, "file.link"),
  FILE_SYMLINK(31, KsecEvents.FILE_SYMLINK, "file.symlink"),
  FILE_TRUNCATE(32, KsecEvents.FILE_TRUNCATE, "file.truncate"),
  FILE_UTIMES(33, KsecEvents.FILE_UTIMES, "file.utimes"),
  FILE_SETXATTR(34, KsecEvents.FILE_SETXATTR, "file.setxattr"),
  FILE_MKDIR(35, KsecEvents.FILE_MKDIR, "file.mkdir"),
  FILE_RMDIR(36, KsecEvents.FILE_RMDIR, "file.rmdir"),
  NET_CONNECT(40, KsecEvents.NETWORK_CONNECT, "network.connect"),
  NET_ACCEPT(41, KsecEvents.NETWORK_ACCEPT, "network.accept"),
  NET_LISTEN(42, KsecEvents.NETWORK_LISTEN, "network.listen"),
  NET_BIND(43, KsecEvents.NETWORK_BIND, "network.bind"),
  NET_SEND(44, KsecEvents.NETWORK_SEND, "network.send"),
  NET_UNIX_CONNECT(45, KsecEvents.NETWORK_UNIX_CONNECT, "network.unix_connect"),
  MODULE_LOAD(48, KsecEvents.KERNEL_MODULE_LOAD, "kernel.module_load"),
  MODULE_UNLOAD(49, KsecEvents.KERNEL_MODULE_UNLOAD, "kernel.module_unload"),
  BPF_LOAD(50, KsecEvents.KERNEL_BPF_LOAD, "kernel.bpf_load"),
  KEXEC_LOAD(51, KsecEvents.KERNEL_KEXEC_LOAD, "kernel.kexec_load"),
  MOUNT(52, KsecEvents.HOST_MOUNT, "host.mount"),
  UMOUNT(53, KsecEvents.HOST_UMOUNT, "host.umount"),
  PIVOT_ROOT(54, KsecEvents.HOST_PIVOT_ROOT, "host.pivot_root"),
  CLOCK_SET(55, KsecEvents.HOST_CLOCK_SET, "host.clock_set"),
  BPF_TAMPER(56, KsecEvents.KERNEL_BPF_TAMPER, "kernel.bpf_tamper"),
  IO_URING_SETUP(57, KsecEvents.IO_URING_SETUP, "io_uring.setup"),
  IO_URING_REGISTER(58, KsecEvents.IO_URING_REGISTER, "io_uring.register"),
  IO_URING_SUBMIT(59, KsecEvents.IO_URING_SUBMIT, "io_uring.submit");

  /** Size of the kernel's per-type tables (drop counters, policy). */
  public static final int MAX = 64;

  private static final EventType[] BY_ID = new EventType[MAX];

  static {
    for (EventType t : values()) {
      BY_ID[t.id] = t;
    }
  }

  private final int id;
  private final String eventName;
  private final String policyName;

  EventType(int id, String eventName, String policyName) {
    this.id = id;
    this.eventName = eventName;
    this.policyName = policyName;
  }

  public int id() {
    return id;
  }

  /** The EventName of the log records of this type. */
  public String eventName() {
    return eventName;
  }

  /** The key under the policy's {@code events} section. */
  public String policyName() {
    return policyName;
  }

  /** The first part of the EventName: process, file, network, kernel, host, io_uring. */
  public String category() {
    return eventName.substring(0, eventName.indexOf('.'));
  }

  /** A system-call event (struct sys_event), as opposed to the process lifecycle. */
  public boolean isSyscall() {
    return id >= 8;
  }

  public static Optional<EventType> byId(int id) {
    return id >= 0 && id < MAX ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
  }

  public static Optional<EventType> byPolicyName(String name) {
    for (EventType t : values()) {
      if (t.policyName.equals(name)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
