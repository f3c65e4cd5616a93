package io.github.otelkernel.receiver.config;

import com.google.re2j.Pattern;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * receivers.ebpf.policy: what is collected, filtered in the kernel, merged and redacted. Only what
 * the YAML says is here; {@code policy.Policy} lays it over the shipped defaults (docs/policy.md
 * explains every knob).
 *
 * @param events per event type (policy names: file.open, network.connect…)
 * @param ignore processes whose events are dropped in the kernel
 * @param watch when any is given, only events of these processes are kept
 * @param envVars names of the environment variables captured at exec (none else leaves the kernel)
 * @param defaults whether the shipped default policy applies underneath (false: start from nothing
 *     on)
 */
public record PolicyConfig(
    Map<String, EventPolicy> events,
    ProcessRules ignore,
    ProcessRules watch,
    Optional<List<Integer>> udpPorts,
    Optional<List<String>> capabilities,
    Optional<List<String>> prctlOptions,
    Optional<List<String>> envVars,
    RedactionConfig redaction,
    boolean defaults) {

  public static final PolicyConfig DEFAULT =
      new PolicyConfig(
          Map.of(),
          ProcessRules.NONE,
          ProcessRules.NONE,
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          RedactionConfig.DEFAULT,
          true);

  /**
   * One event type: on/off, path prefixes matched in the kernel (file events), and the window in
   * which repeats are merged into one record. Empty fields leave the default in place.
   */
  public record EventPolicy(
      Optional<Boolean> enabled,
      Optional<List<String>> include,
      Optional<List<String>> exclude,
      Optional<Duration> aggregate) {}

  /** uids, executables (paths) and cgroups (paths under the cgroup v2 root, children included). */
  public record ProcessRules(List<Long> uids, List<String> executables, List<String> cgroups) {
    public static final ProcessRules NONE = new ProcessRules(List.of(), List.of(), List.of());

    public boolean isEmpty() {
      return uids.isEmpty() && executables.isEmpty() && cgroups.isEmpty();
    }
  }

  /** Secrets masked before export: the shipped patterns (unless defaults: false) plus these. */
  public record RedactionConfig(boolean defaults, List<RedactionPattern> patterns) {
    public static final RedactionConfig DEFAULT = new RedactionConfig(true, List.of());
  }

  /** A regex whose named group {@code secret} (or, without one, whole match) is masked. */
  public record RedactionPattern(String name, Pattern regex) {}
}
