package io.github.otelkernel.receiver.config;

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
import java.util.Set;
import java.util.stream.Collectors;

/** receivers.ebpf.policy → {@link PolicyConfig}; every mistake names its key and line. */
final class PolicyParser {
  private PolicyParser() {}

  static PolicyConfig parse(ConfigNode n) {
    var keys =
        n.mapping(
            Set.of(
                "defaults",
                "events",
                "ignore",
                "watch",
                "network",
                "capabilities",
                "prctl_options",
                "redaction"));
    Map<String, EventPolicy> events = new LinkedHashMap<>();
    if (keys.containsKey("events")) {
      for (var e : keys.get("events").mapping(null).entrySet()) {
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
        events.put(name, event(type, e.getValue()));
      }
    }
    Optional<List<Integer>> udpPorts = Optional.empty();
    if (keys.containsKey("network")) {
      var net = keys.get("network").mapping(Set.of("udp_ports"));
      if (net.containsKey("udp_ports")) {
        List<Integer> ports = new ArrayList<>();
        for (ConfigNode p : net.get("udp_ports").asList()) {
          ports.add((int) p.asLong(1, 65535));
        }
        udpPorts = Optional.of(List.copyOf(ports));
      }
    }
    Optional<List<String>> caps = Optional.empty();
    if (keys.containsKey("capabilities")) {
      List<String> names = new ArrayList<>();
      for (ConfigNode c : keys.get("capabilities").asList()) {
        String name = c.asString().toUpperCase(java.util.Locale.ROOT);
        if (Capabilities.number(name) < 0) {
          throw c.error(
              "unknown capability '"
                  + c.asString()
                  + "' (write it as in capabilities(7): CAP_SYS_ADMIN)");
        }
        names.add(name);
      }
      caps = Optional.of(List.copyOf(names));
    }
    Optional<List<String>> prctl = Optional.empty();
    if (keys.containsKey("prctl_options")) {
      List<String> names = new ArrayList<>();
      for (ConfigNode c : keys.get("prctl_options").asList()) {
        String name = c.asString().toUpperCase(java.util.Locale.ROOT);
        if (PrctlOptions.number(name) < 0) {
          throw c.error(
              "unknown or unsupported prctl option '"
                  + c.asString()
                  + "'; supported: "
                  + String.join(", ", PrctlOptions.names()));
        }
        names.add(name);
      }
      prctl = Optional.of(List.copyOf(names));
    }
    return new PolicyConfig(
        Map.copyOf(events),
        keys.containsKey("ignore") ? rules(keys.get("ignore")) : ProcessRules.NONE,
        keys.containsKey("watch") ? rules(keys.get("watch")) : ProcessRules.NONE,
        udpPorts,
        caps,
        prctl,
        keys.containsKey("redaction") ? redaction(keys.get("redaction")) : RedactionConfig.DEFAULT,
        !keys.containsKey("defaults") || keys.get("defaults").asBoolean());
  }

  private static EventPolicy event(EventType type, ConfigNode n) {
    var keys = n.mapping(Set.of("enabled", "include", "exclude", "aggregate"));
    // the kernel matches prefixes against the record's first path: files, and unix socket paths
    boolean paths =
        type.category().equals("file")
            || type == EventType.FILE_READ
            || type == EventType.NET_UNIX_CONNECT;
    if (!paths && (keys.containsKey("include") || keys.containsKey("exclude"))) {
      ConfigNode bad = keys.containsKey("include") ? keys.get("include") : keys.get("exclude");
      throw bad.error(
          "path prefixes apply to file events and network.unix_connect only (file.open, file.read, "
              + "file.unlink…)");
    }
    if (!type.switchable() && keys.containsKey("enabled") && !keys.get("enabled").asBoolean()) {
      // the first write of a tamperer would be to switch the record of its writes off
      throw keys.get("enabled")
          .error(
              type.policyName()
                  + " cannot be turned off: it reports other processes"
                  + " reaching for the agent's own BPF maps, programs and links");
    }
    Optional<Duration> aggregate = Optional.empty();
    if (keys.containsKey("aggregate")) {
      Duration d = keys.get("aggregate").asDuration();
      if (d.compareTo(Duration.ofHours(1)) > 0) {
        throw keys.get("aggregate")
            .error("at most 1h: merged records wait that long before they leave");
      }
      aggregate = Optional.of(d);
    }
    return new EventPolicy(
        keys.containsKey("enabled")
            ? Optional.of(keys.get("enabled").asBoolean())
            : Optional.empty(),
        keys.containsKey("include") ? Optional.of(prefixes(keys.get("include"))) : Optional.empty(),
        keys.containsKey("exclude") ? Optional.of(prefixes(keys.get("exclude"))) : Optional.empty(),
        aggregate);
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

  private static ProcessRules rules(ConfigNode n) {
    var keys = n.mapping(Set.of("uids", "executables", "cgroups"));
    List<Long> uids = new ArrayList<>();
    if (keys.containsKey("uids")) {
      for (ConfigNode u : keys.get("uids").asList()) {
        uids.add(u.asLong(0, 0xffffffffL));
      }
    }
    List<String> exes = new ArrayList<>();
    if (keys.containsKey("executables")) {
      for (ConfigNode e : keys.get("executables").asList()) {
        if (!e.asString().startsWith("/")) {
          throw e.error("'" + e.asString() + "' is not an absolute path to an executable");
        }
        exes.add(e.asString());
      }
    }
    List<String> cgroups = new ArrayList<>();
    if (keys.containsKey("cgroups")) {
      for (ConfigNode c : keys.get("cgroups").asList()) {
        if (!c.asString().startsWith("/")) {
          throw c.error(
              "'"
                  + c.asString()
                  + "' is not a cgroup path as /proc/PID/cgroup shows it (/system.slice/x.service)");
        }
        cgroups.add(c.asString());
      }
    }
    return new ProcessRules(List.copyOf(uids), List.copyOf(exes), List.copyOf(cgroups));
  }

  private static RedactionConfig redaction(ConfigNode n) {
    var keys = n.mapping(Set.of("defaults", "patterns"));
    List<RedactionPattern> patterns = new ArrayList<>();
    if (keys.containsKey("patterns")) {
      for (ConfigNode p : keys.get("patterns").asList()) {
        var pk = p.mapping(Set.of("name", "regex"));
        ConfigNode regex = pk.get("regex");
        if (regex == null) {
          throw p.error("a redaction pattern needs 'regex' (and a 'name' to report it by)");
        }
        String name = pk.containsKey("name") ? pk.get("name").asString() : regex.asString();
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
    }
    return new RedactionConfig(
        !keys.containsKey("defaults") || keys.get("defaults").asBoolean(), List.copyOf(patterns));
  }
}
