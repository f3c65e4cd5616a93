package io.github.otelkernel.receiver.probe;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Checks, before loading anything, the things an operator can fix: privileges and BTF. */
public final class KernelPreflight {
  private static final int CAP_SYS_ADMIN = 21;
  private static final int CAP_PERFMON = 38;
  private static final int CAP_BPF = 39;
  static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");

  private KernelPreflight() {}

  /** Throws the first problem that stops the probes from loading, with its fix. */
  public static void check() {
    for (var problem :
        List.<java.util.function.Supplier<Optional<String>>>of(
            KernelPreflight::platformProblem,
            KernelPreflight::privilegeProblem,
            () -> pidNamespaceProblem(Path.of("/proc/self/ns/pid")),
            KernelPreflight::btfProblem,
            () -> lockdownProblem(LOCKDOWN))) {
      problem
          .get()
          .ifPresent(
              p -> {
                throw new ProbeException(p);
              });
    }
    Libbpf.get(); // fails with an install hint when libbpf is missing
    ensureTracefs();
  }

  /** libbpf.so.1 loaded, or how to install it. */
  public static Optional<String> libbpfProblem() {
    try {
      Libbpf.get();
      return Optional.empty();
    } catch (ProbeException e) {
      return Optional.of(e.getMessage());
    }
  }

  public static Optional<String> platformProblem() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      return Optional.of(
          "the ebpf receiver runs on Linux only (this is " + System.getProperty("os.name") + ")");
    }
    return Optional.empty();
  }

  public static Optional<String> privilegeProblem() {
    if (Libc.geteuid() != 0) {
      BigInteger caps = effectiveCapabilities();
      boolean bpf = caps.testBit(CAP_BPF) && caps.testBit(CAP_PERFMON);
      if (!bpf && !caps.testBit(CAP_SYS_ADMIN)) {
        return Optional.of(
            "loading eBPF programs needs root: run the agent with sudo"
                + " (or grant it CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)");
      }
    }
    return Optional.empty();
  }

  public static Optional<String> btfProblem() {
    if (!Files.isReadable(BTF)) {
      return Optional.of(
          "kernel BTF not found at "
              + BTF
              + ": the probes need a kernel built with"
              + " CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020 are)");
    }
    return Optional.empty();
  }

  static final Path LOCKDOWN = Path.of("/sys/kernel/security/lockdown");

  /** The kernel's lockdown mode, the bracketed word of "none [integrity] confidentiality". */
  public static Optional<String> lockdownMode(Path file) {
    try {
      var m = java.util.regex.Pattern.compile("\\[(\\w+)]").matcher(Files.readString(file));
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty(); // no securityfs, or no lockdown LSM: nothing locked down
    }
  }

  /**
   * Lockdown's confidentiality mode denies BPF programs reads of kernel memory, which every probe
   * makes (the task's credentials, the file's path): the load would fail for a reason the verifier
   * log does not name.
   */
  static Optional<String> lockdownProblem(Path file) {
    if (lockdownMode(file).filter("confidentiality"::equals).isPresent()) {
      return Optional.of(
          "the kernel is locked down in confidentiality mode ("
              + file
              + "), which denies BPF programs reads of kernel memory: boot with lockdown=integrity"
              + " or none (the mode can only be raised while running)");
    }
    return Optional.empty();
  }

  /**
   * Tracepoints are attached by their id under tracefs; minimal hosts and containers often boot
   * without it mounted. Mount it where the kernel expects it, as systemd would.
   */
  static void ensureTracefs() {
    if (Files.isDirectory(TRACEFS.resolve("events"))
        || Files.isDirectory(Path.of("/sys/kernel/debug/tracing/events"))) {
      return;
    }
    int errno = Libc.mount("tracefs", TRACEFS.toString(), "tracefs");
    if (errno != 0 || !Files.isDirectory(TRACEFS.resolve("events"))) {
      throw new ProbeException(
          "tracefs is not mounted and mounting it failed ("
              + Libc.strerror(errno)
              + "): run 'mount -t tracefs tracefs "
              + TRACEFS
              + "' as root, or add it to /etc/fstab");
    }
    java.util.logging.Logger.getLogger(KernelPreflight.class.getName())
        .info("mounted tracefs at " + TRACEFS + " (it was not mounted; tracepoints need it)");
  }

  static final Path TRACEFS = Path.of("/sys/kernel/tracing");

  /** The initial pid namespace's inode number, fixed by the kernel (PROC_PID_INIT_INO). */
  static final String INIT_PID_NAMESPACE = "pid:[4026531836]";

  /**
   * The probes see host pids; the agent knows its own pid only in its namespace. In a pid namespace
   * of its own the two differ, and the agent would neither recognise actions aimed at itself nor
   * leave its own activity out: refuse rather than run half blind.
   */
  public static Optional<String> pidNamespaceProblem(Path nsLink) {
    String ns;
    try {
      ns = Files.readSymbolicLink(nsLink).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty(); // no namespaces to speak of
    }
    if (!ns.equals(INIT_PID_NAMESPACE)) {
      return Optional.of(
          "the agent runs in a pid namespace of its own ("
              + ns
              + "), where its pid is not the"
              + " one the kernel's probes see: run it in the host's (a container needs --pid=host, a pod hostPID: true)");
    }
    return Optional.empty();
  }

  private static BigInteger effectiveCapabilities() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return new BigInteger(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      // treated as no capabilities
    }
    return BigInteger.ZERO;
  }
}
