package io.github.otelkernel.receiver.policy;

import io.github.otelkernel.receiver.config.PolicyConfig;
import io.github.otelkernel.receiver.config.PolicyConfig.EventPolicy;
import io.github.otelkernel.receiver.config.PolicyConfig.ProcessRules;
import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
import io.github.otelkernel.receiver.decode.EventType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The effective collection policy: the shipped defaults with the operator's receivers.ebpf.policy
 * laid over them (a key given replaces the default's value, lists included). docs/policy.md
 * explains each default and what it costs.
 */
public record Policy(
    Map<EventType, TypePolicy> types,
    ProcessRules ignore,
    ProcessRules watch,
    List<Integer> udpPorts,
    List<String> capabilities,
    List<String> prctlOptions,
    List<String> envVars,
    boolean defaultRedaction,
    List<RedactionPattern> redaction) {

  /** One event type: on/off, kernel path prefixes (file events), and the merge window (0: off). */
  public record TypePolicy(
      boolean enabled, List<String> include, List<String> exclude, Duration aggregate) {
    /** A path no prefix mentions is kept unless the type lists only includes (an allow list). */
    public boolean defaultKeep() {
      return include.isEmpty() || !exclude.isEmpty();
    }
  }

  public static final List<Integer> DEFAULT_UDP_PORTS = List.of(53);
  public static final List<String> DEFAULT_CAPABILITIES =
      List.of(
          "CAP_SYS_MODULE",
          "CAP_SYS_RAWIO",
          "CAP_SYS_PTRACE",
          "CAP_SYS_BOOT",
          "CAP_MAC_ADMIN",
          "CAP_MAC_OVERRIDE",
          "CAP_BPF");
  public static final List<String> DEFAULT_PRCTL =
      List.of("PR_SET_NAME", "PR_SET_DUMPABLE", "PR_SET_MM", "PR_CAP_AMBIENT", "PR_SET_SECUREBITS");

  /**
   * The variables Elastic's prebuilt Linux rules and common hunting queries look for: the dynamic
   * linker's injection and tuning knobs, the shell's history switches, and proxies (tunnelling,
   * SOCKS to C2). No secret-bearing name; a proxy URL's password is masked like argv's.
   */
  public static final List<String> DEFAULT_ENV_VARS =
      List.of(
          "LD_PRELOAD",
          "LD_LIBRARY_PATH",
          "LD_AUDIT",
          "GLIBC_TUNABLES",
          "HISTFILE",
          "HISTFILESIZE",
          "HISTSIZE",
          "HISTCONTROL",
          "http_proxy",
          "https_proxy",
          "all_proxy",
          "HTTP_PROXY",
          "HTTPS_PROXY",
          "ALL_PROXY",
          "RUNNER_TRACKING_ID");

  public static Policy of(PolicyConfig c) {
    Map<EventType, TypePolicy> types = new EnumMap<>(EventType.class);
    for (EventType t : EventType.values()) {
      if (!t.isSyscall()) {
        continue; // the process lifecycle feeds the process table: always on
      }
      TypePolicy d;
      if (!c.defaults()) {
        d = new TypePolicy(false, List.of(), List.of(), Duration.ZERO);
      } else {
        // the catalog's defaults (semantic-conventions/model/ksec/events.yaml), through EventType
        d =
            new TypePolicy(
                t.defaultEnabled(), t.defaultInclude(), t.defaultExclude(), t.defaultAggregate());
      }
      EventPolicy o = c.events().get(t.policyName());
      if (o != null) {
        d =
            new TypePolicy(
                o.enabled().orElse(true),
                o.include().orElse(d.include()),
                o.exclude().orElse(d.exclude()),
                o.aggregate().orElse(d.aggregate()));
      }
      types.put(t, d);
    }
    return new Policy(
        Map.copyOf(types),
        c.ignore(),
        c.watch(),
        c.udpPorts().orElse(c.defaults() ? DEFAULT_UDP_PORTS : List.of()),
        c.capabilities().orElse(c.defaults() ? DEFAULT_CAPABILITIES : List.of()),
        c.prctlOptions().orElse(c.defaults() ? DEFAULT_PRCTL : List.of()),
        c.envVars().orElse(c.defaults() ? DEFAULT_ENV_VARS : List.of()),
        c.redaction().defaults(),
        c.redaction().patterns());
  }

  public TypePolicy type(EventType t) {
    return types.getOrDefault(t, new TypePolicy(true, List.of(), List.of(), Duration.ZERO));
  }
}
