package io.github.otelkernel.receiver.decode;

import java.util.List;
import java.util.Map;

/** The prctl(2) options the policy can watch (include/uapi/linux/prctl.h), by name and number. */
public final class PrctlOptions {
  private static final Map<String, Integer> OPTIONS =
      Map.ofEntries(
          Map.entry("PR_SET_PDEATHSIG", 1),
          Map.entry("PR_SET_DUMPABLE", 4),
          Map.entry("PR_SET_KEEPCAPS", 8),
          Map.entry("PR_SET_NAME", 15),
          Map.entry("PR_SET_SECCOMP", 22),
          Map.entry("PR_CAPBSET_DROP", 24),
          Map.entry("PR_SET_SECUREBITS", 28),
          Map.entry("PR_SET_CHILD_SUBREAPER", 36),
          Map.entry("PR_SET_NO_NEW_PRIVS", 38),
          Map.entry("PR_SET_MM", 35),
          Map.entry("PR_CAP_AMBIENT", 47),
          Map.entry("PR_SET_SPECULATION_CTRL", 53),
          Map.entry("PR_SET_SYSCALL_USER_DISPATCH", 59),
          Map.entry("PR_SET_MDWE", 65));

  private PrctlOptions() {}

  /** The option's number (below 64, so that the kernel keeps them in one bitmask), or -1. */
  public static int number(String name) {
    return OPTIONS.getOrDefault(name, -1);
  }

  public static String name(long option) {
    return OPTIONS.entrySet().stream()
        .filter(e -> e.getValue() == option)
        .map(Map.Entry::getKey)
        .findFirst()
        .orElse("PR_" + option);
  }

  public static List<String> names() {
    return OPTIONS.keySet().stream().sorted().toList();
  }
}
