package io.github.otelkernel.receiver.probe;

import io.github.otelkernel.receiver.decode.KernelNames;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The raw_tp/sys_exit fallback of probes/integrity.bpf.h: kernels built without module support have
 * no tracepoints for the module and kexec calls, yet an attempt to load a rootkit there is still
 * worth a record. The fallback runs on every system call, so it is loaded only when one of these
 * tracepoints is missing, and told which call numbers to keep.
 */
final class SyscallFallback {
  static final String SECTION = "raw_tp/sys_exit";
  static final String MAP = "fallback_syscalls";

  /** enum fallback_kind in integrity.bpf.h */
  private static final Map<String, Integer> KINDS =
      Map.of(
          "init_module",
          1,
          "finit_module",
          2,
          "delete_module",
          3,
          "kexec_load",
          4,
          "kexec_file_load",
          5);

  private SyscallFallback() {}

  /**
   * Syscall number to kind, for the covered calls among the skipped tracepoints
   * ("syscalls/sys_enter_x").
   */
  static Map<Integer, Integer> entries(List<String> skipped) {
    Map<Integer, Integer> m = new LinkedHashMap<>();
    for (String tp : skipped) {
      String name = tp.replaceFirst("^syscalls/sys_(enter|exit)_", "");
      Integer kind = KINDS.get(name);
      OptionalInt nr = KernelNames.syscallNumber(name);
      if (kind != null
          && nr.isPresent()
          && nr.getAsInt() >= 0
          && nr.getAsInt() < MapLayout.FALLBACK_ENTRIES) {
        m.put(nr.getAsInt(), kind);
      }
    }
    return m;
  }
}
