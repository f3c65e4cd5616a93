package io.github.otelkernel.receiver.config;

import static io.github.otelkernel.receiver.probe.MapLayout.ENV_KEY_SIZE;
import static io.github.otelkernel.receiver.probe.MapLayout.ENV_NAMES_MAX;
import static io.github.otelkernel.receiver.probe.MapLayout.PATH_PREFIX_MAX;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.github.otelkernel.receiver.config.PolicyConfig.EventPolicy;
import io.github.otelkernel.receiver.config.PolicyConfig.ProcessRules;
import io.github.otelkernel.receiver.config.PolicyConfig.RedactionConfig;
import io.github.otelkernel.receiver.config.PolicyConfig.RedactionPattern;
import io.github.otelkernel.receiver.decode.Capabilities;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.PrctlOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** receivers.ebpf.policy → {@link PolicyConfig}; every mistake names its key and line. */
final class PolicyParser {
  private PolicyParser() {}

  static PolicyConfig parse(ConfigNode n) {
    ConfigNode.Section s = n.section();
    Map<String, EventPolicy> events = new LinkedHashMap<>();
    for (var e : s.get("events").map(ev -> ev.mapping()).orElse(Map.of()).entrySet()) {
      String name = e.getKey();
      EventType type =
          EventType.byPolicyName(name)
              .orElseThrow(
                  () ->
                      e.getValue()
                          .error(
                              "unknown event type '"
                                  + name
                                  + "'; known: "
                                  + java.util.Arrays.stream(EventType.values())
                                      .map(EventType::policyName)
                                      .collect(Collectors.joining(", "))));
      events.put(name, event(type, e.getValue().section()));
    }
    ConfigNode.Section net = s.section("network");
    Optional<List<Integer>> udpPorts =
        net.get("udp_ports")
            .map(l -> l.asList().stream().map(p -> (int) p.asLong(1, 65535)).toList());
    net.done();
    Optional<List<String>> caps =
        s.get("capabilities")
            .map(
                l ->
                    kernelNames(
                        l,
                        Capabilities::number,
                        c ->
                            "unknown capability '"
                                + c
                                + "' (write it as in capabilities(7): CAP_SYS_ADMIN)"));
    Optional<List<String>> prctl =
        s.get("prctl_options")
            .map(
                l ->
                    kernelNames(
                        l,
                        PrctlOptions::number,
                        c ->
                            "unknown or unsupported prctl option '"
                                + c
                                + "'; supported: "
                                + String.join(", ", PrctlOptions.names())));
    Optional<List<String>> envVars = s.get("env_vars").map(PolicyParser::envVars);
    var c =
        new PolicyConfig(
            Map.copyOf(events),
            s.get("ignore").map(r -> rules(r.section())).orElse(ProcessRules.NONE),
            s.get("watch").map(r -> rules(r.section())).orElse(ProcessRules.NONE),
            udpPorts,
            caps,
            prctl,
            envVars,
            s.get("redaction").map(r -> redaction(r.section())).orElse(RedactionConfig.DEFAULT),
            s.bool("defaults", true));
    s.done();
    return c;
  }

  /**
   * Environment variable names, matched exactly (case counts: http_proxy and HTTP_PROXY are two
   * names); each must fit the kernel's key (MapLayout.ENV_KEY_SIZE bytes).
   */
  private static List<String> envVars(ConfigNode list) {
    List<String> names = new ArrayList<>();
    for (ConfigNode n : list.asList()) {
      String name = n.asString();
      if (name.isEmpty()
          || name.length() > ENV_KEY_SIZE
          || !name.chars().allMatch(ch -> ch > ' ' && ch < 0x7f && ch != '=')) {
        throw n.error(
            "environment variable name '"
                + name
                + "' must be 1 to "
                + ENV_KEY_SIZE
                + " printable ASCII characters without '=' or spaces (as in LD_PRELOAD)");
      }
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    if (names.size() > ENV_NAMES_MAX) {
      throw list.error(
          names.size()
              + " environment variable names listed; the kernel holds at most "
              + ENV_NAMES_MAX);
    }
    return List.copyOf(names);
  }

  /** A list of kernel constant names, upper-cased; one the kernel does not know is an error. */
  private static List<String> kernelNames(
      ConfigNode list,
      java.util.function.ToIntFunction<String> number,
      java.util.function.Function<String, String> unknown) {
    return list.asList().stream()
        .map(
            c -> {
              String name = c.asString().toUpperCase(java.util.Locale.ROOT);
              if (number.applyAsInt(name) < 0) {
                throw c.error(unknown.apply(c.asString()));
              }
              return name;
            })
        .toList();
  }

  private static EventPolicy event(EventType type, ConfigNode.Section s) {
    Optional<ConfigNode> enabled = s.get("enabled");
    Optional<ConfigNode> include = s.get("include");
    Optional<ConfigNode> exclude = s.get("exclude");
    Optional<ConfigNode> aggregateNode = s.get("aggregate");
    s.done();
    // the kernel matches prefixes against the record's first path: files, and unix socket paths
    boolean paths =
        type.category().equals("file")
            || type == EventType.FILE_READ
            || type == EventType.NET_UNIX_CONNECT;
    if (!paths && (include.isPresent() || exclude.isPresent())) {
      throw include
          .or(() -> exclude)
          .get()
          .error(
              "path prefixes apply to file events and network.unix_connect only (file.open,"
                  + " file.read, file.unlink…)");
    }
    Optional<Boolean> on = enabled.map(ConfigNode::asBoolean);
    if (!type.switchable() && on.isPresent() && !on.get()) {
      // the first write of a tamperer would be to switch the record of its writes off
      throw enabled
          .get()
          .error(
              type.policyName()
                  + " cannot be turned off: it reports other processes"
                  + " reaching for the agent's own BPF maps, programs and links");
    }
    Optional<Duration> aggregate = aggregateNode.map(ConfigNode::asDuration);
    if (aggregate.isPresent() && aggregate.get().compareTo(Duration.ofHours(1)) > 0) {
      throw aggregateNode
          .get()
          .error("at most 1h: merged records wait that long before they leave");
    }
    return new EventPolicy(
        on, include.map(PolicyParser::prefixes), exclude.map(PolicyParser::prefixes), aggregate);
  }

  private static List<String> prefixes(ConfigNode list) {
    List<String> out = new ArrayList<>();
    for (ConfigNode p : list.asList()) {
      String s = p.asString();
      if (!s.startsWith("/")) {
        throw p.error(
            "'"
                + s
                + "' is not an absolute path prefix (the kernel matches absolute paths: /etc/)");
      }
      if (s.getBytes(StandardCharsets.UTF_8).length > PATH_PREFIX_MAX) {
        throw p.error(
            "prefix longer than "
                + PATH_PREFIX_MAX
                + " bytes: the kernel matches at most that many");
      }
      if (s.indexOf('*') >= 0 && !s.matches("(/[^*]*)?/\\*/.*")) {
        throw p.error(
            "'" + s + "': a * may only stand for one whole directory name (/home/*/.ssh/)");
      }
      out.add(s);
    }
    return List.copyOf(out);
  }

  private static ProcessRules rules(ConfigNode.Section s) {
    List<Long> uids =
        s.get("uids")
            .map(l -> l.asList().stream().map(u -> u.asLong(0, 0xffffffffL)).toList())
            .orElse(List.of());
    List<String> exes =
        s.get("executables")
            .map(
                l ->
                    l.asList().stream()
                        .map(
                            e -> {
                              if (!e.asString().startsWith("/")) {
                                throw e.error(
                                    "'"
                                        + e.asString()
                                        + "' is not an absolute path to an executable");
                              }
                              return e.asString();
                            })
                        .toList())
            .orElse(List.of());
    List<String> cgroups =
        s.get("cgroups")
            .map(
                l ->
                    l.asList().stream()
                        .map(
                            c -> {
                              if (!c.asString().startsWith("/")) {
                                throw c.error(
                                    "'"
                                        + c.asString()
                                        + "' is not a cgroup path as /proc/PID/cgroup shows it"
                                        + " (/system.slice/x.service)");
                              }
                              return c.asString();
                            })
                        .toList())
            .orElse(List.of());
    s.done();
    return new ProcessRules(uids, exes, cgroups);
  }

  private static RedactionConfig redaction(ConfigNode.Section s) {
    List<RedactionPattern> patterns = new ArrayList<>();
    for (ConfigNode p : s.get("patterns").map(ConfigNode::asList).orElse(List.of())) {
      ConfigNode.Section pk = p.section();
      Optional<ConfigNode> regexNode = pk.get("regex");
      Optional<String> given = pk.get("name").map(ConfigNode::asString);
      pk.done();
      ConfigNode regex =
          regexNode.orElseThrow(
              () -> p.error("a redaction pattern needs 'regex' (and a 'name' to report it by)"));
      String name = given.orElse(regex.asString());
      try {
        patterns.add(new RedactionPattern(name, Pattern.compile(regex.asString())));
      } catch (PatternSyntaxException e) {
        // RE2 syntax: linear time on what monitored processes send, so no look-around or
        // backreferences
        throw regex.error(
            "redaction pattern '"
                + name
                + "' is not a valid RE2 expression ("
                + e.getDescription()
                + "): write it without look-around ((?=, (?!, (?<=, (?<!) or backreferences");
      }
    }
    var c = new RedactionConfig(s.bool("defaults", true), List.copyOf(patterns));
    s.done();
    return c;
  }
}
