package io.github.otelkernel.receiver.probe;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The attached probes counted by family, for the start-up line: 161 section names on one line are
 * several kilobytes nobody reads (the full list goes to the debug level).
 */
public final class ProbeFamilies {
  private ProbeFamilies() {}

  /**
   * "tp/syscalls 150, raw_tp 6, tp/sched 1": a tracepoint's family is its category
   * (tp/syscalls/sys_enter_openat → tp/syscalls), any other program's its type (raw_tp/sys_exit →
   * raw_tp); largest first, then by name.
   */
  public static String summary(List<String> sections) {
    Map<String, Integer> counts = new TreeMap<>();
    for (String s : sections) {
      String[] parts = s.split("/", -1);
      String family =
          (parts[0].equals("tp") || parts[0].equals("tracepoint")) && parts.length > 2
              ? parts[0] + "/" + parts[1]
              : parts[0];
      counts.merge(family, 1, Integer::sum);
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .map(e -> e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(", "));
  }
}
