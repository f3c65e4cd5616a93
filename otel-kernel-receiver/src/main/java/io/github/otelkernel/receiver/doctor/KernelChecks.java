package io.github.otelkernel.receiver.doctor;

import io.github.otelkernel.receiver.pipeline.AgentBuilder;
import io.github.otelkernel.receiver.probe.BpfProbes;
import io.github.otelkernel.receiver.probe.KernelPreflight;
import io.github.otelkernel.receiver.probe.ProbeException;
import io.github.otelkernel.receiver.probe.ProbeFamilies;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's side: the kernel, its features, the agent's privileges. Each check that the probes
 * need before they can load is made on its own, so that one report names every problem; then the
 * probes are loaded for real (verifier, BTF relocations, helpers) and released without attaching.
 */
final class KernelChecks {
  private KernelChecks() {}

  static List<Check> run() {
    List<Check> out = new ArrayList<>();
    Optional<String> platform = KernelPreflight.platformProblem();
    if (platform.isPresent()) {
      out.add(Check.fail("kernel", platform.get()));
      return out;
    }
    out.add(Check.ok("kernel", "Linux " + read(Path.of("/proc/sys/kernel/osrelease"), "?")));
    boolean loadable = true;
    loadable &= add(out, "privileges", KernelPreflight.privilegeProblem(), privileges());
    loadable &=
        add(
            out,
            "pid namespace",
            KernelPreflight.pidNamespaceProblem(Path.of("/proc/self/ns/pid")),
            "the host's (the probes' pids are the agent's)");
    loadable &= add(out, "kernel BTF", KernelPreflight.btfProblem(), "/sys/kernel/btf/vmlinux");
    Path lockdown = Path.of("/sys/kernel/security/lockdown");
    String mode = KernelPreflight.lockdownMode(lockdown).orElse("none");
    if (mode.equals("confidentiality")) {
      out.add(
          Check.fail(
              "lockdown",
              "confidentiality: BPF programs may not read kernel memory; boot with"
                  + " lockdown=integrity or none"));
      loadable = false;
    } else {
      out.add(Check.ok("lockdown", mode));
    }
    if (!add(out, "libbpf", KernelPreflight.libbpfProblem(), "libbpf.so.1")) {
      return out; // nothing below can be checked without it
    }
    out.add(tracefs());
    if (!loadable) {
      out.add(Check.fail("probes", "not loaded: fix the problems above first"));
      return out;
    }
    byte[] object = AgentBuilder.probeObject();
    try {
      var support = BpfProbes.kernelSupport(object, AgentBuilder.PROBES);
      // libbpf's feature probe cannot judge every type on its own (a tracing program needs a
      // BTF target it does not give), so the load has the last word and the probes only explain
      // a failed one
      Check load = load(object);
      boolean loaded = load.status() == Check.Status.OK;
      types(out, "program types", support.programTypes(), loaded);
      types(out, "map types", support.mapTypes(), loaded);
      out.add(load);
    } catch (ProbeException e) {
      out.add(Check.fail("probes", e.getMessage()));
    }
    return out;
  }

  private static String privileges() {
    return io.github.otelkernel.receiver.probe.Libc.geteuid() == 0
        ? "root (the launcher keeps CAP_BPF, CAP_PERFMON, CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH)"
        : "CAP_BPF and CAP_PERFMON";
  }

  private static Check tracefs() {
    for (String p : new String[] {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
      if (Files.isDirectory(Path.of(p, "events"))) {
        return Check.ok("tracefs", p);
      }
    }
    return Check.warn(
        "tracefs",
        "not mounted: the agent mounts it at /sys/kernel/tracing when it starts as root; where"
            + " it cannot (no CAP_SYS_ADMIN, as in the systemd unit), run 'mount -t tracefs"
            + " tracefs /sys/kernel/tracing' or add it to /etc/fstab");
  }

  /** Loads the whole object as the agent does (with a small ring buffer) and releases it. */
  private static Check load(byte[] object) {
    try (BpfProbes probes = BpfProbes.load(object, AgentBuilder.PROBES, 1 << 20, r -> {})) {
      List<String> loaded = probes.loadedPrograms();
      List<String> absent = probes.skippedTracepoints();
      return Check.ok(
          "probes",
          loaded.size()
              + " programs load ("
              + ProbeFamilies.summary(loaded)
              + ")"
              + (absent.isEmpty()
                  ? ""
                  : "; "
                      + absent.size()
                      + " tracepoints this kernel lacks are left out, their system calls being"
                      + " compiled out: "
                      + String.join(
                          ", ",
                          absent.stream()
                              .map(t -> t.replaceFirst("^syscalls/sys_(enter|exit)_", ""))
                              .distinct()
                              .toList())));
    } catch (ProbeException e) {
      return Check.fail("probes", e.getMessage());
    }
  }

  private static boolean add(List<Check> out, String name, Optional<String> problem, String ok) {
    out.add(problem.map(p -> Check.fail(name, p)).orElseGet(() -> Check.ok(name, ok)));
    return problem.isEmpty();
  }

  private static void types(
      List<Check> out, String name, Map<String, Boolean> types, boolean loaded) {
    List<String> missing =
        types.entrySet().stream().filter(e -> !e.getValue()).map(Map.Entry::getKey).toList();
    if (loaded || missing.isEmpty()) {
      out.add(Check.ok(name, String.join(", ", types.keySet())));
    } else {
      out.add(
          Check.fail(
              name,
              "this kernel may lack "
                  + String.join(", ", missing)
                  + ": the probes need a kernel 5.17 or newer with BTF"));
    }
  }

  private static String read(Path p, String otherwise) {
    try {
      return Files.readString(p).strip();
    } catch (IOException e) {
      return otherwise;
    }
  }
}
