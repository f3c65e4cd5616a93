package io.github.otelkernel.receiver.probe;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks, before loading anything, the things an operator can fix: privileges and BTF. */
public final class KernelPreflight {
  private static final int CAP_SYS_ADMIN = 21;
  private static final int CAP_PERFMON = 38;
  private static final int CAP_BPF = 39;
  static final Path BTF = Path.of("/sys/kernel/btf/vmlinux");

  private KernelPreflight() {}

  public static void check() {
    if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
      throw new ProbeException(
          "the ebpf receiver runs on Linux only (this is " + System.getProperty("os.name") + ")");
    }
    if (Libc.geteuid() != 0) {
      BigInteger caps = effectiveCapabilities();
      boolean bpf = caps.testBit(CAP_BPF) && caps.testBit(CAP_PERFMON);
      if (!bpf && !caps.testBit(CAP_SYS_ADMIN)) {
        throw new ProbeException(
            "loading eBPF programs needs root: run the agent with sudo"
                + " (or grant it CAP_BPF, CAP_PERFMON and CAP_SYS_RESOURCE)");
      }
    }
    checkInitialPidNamespace(Path.of("/proc/self/ns/pid"));
    if (!Files.isReadable(BTF)) {
      throw new ProbeException(
          "kernel BTF not found at "
              + BTF
              + ": the probes need a kernel built with"
              + " CONFIG_DEBUG_INFO_BTF=y (most distribution kernels since 2020 are)");
    }
    Libbpf.get(); // fails with an install hint when libbpf is missing
    ensureTracefs();
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
  static void checkInitialPidNamespace(Path nsLink) {
    String ns;
    try {
      ns = Files.readSymbolicLink(nsLink).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return; // no namespaces to speak of
    }
    if (!ns.equals(INIT_PID_NAMESPACE)) {
      throw new ProbeException(
          "the agent runs in a pid namespace of its own ("
              + ns
              + "), where its pid is not the"
              + " one the kernel's probes see: run it in the host's (a container needs --pid=host, a pod hostPID: true)");
    }
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
