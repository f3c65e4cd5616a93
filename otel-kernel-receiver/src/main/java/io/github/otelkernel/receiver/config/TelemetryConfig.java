package io.github.otelkernel.receiver.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * service.telemetry.metrics: the agent's own metrics, sent with the OTLP exporters named (all of
 * the pipeline's when none are).
 */
public record TelemetryConfig(boolean enabled, Duration interval, List<String> exporters) {
  public static final TelemetryConfig DEFAULT =
      new TelemetryConfig(true, Duration.ofSeconds(60), List.of());

  private static final Set<String> LEVELS = Set.of("none", "basic", "normal", "detailed");

  /** otlp: the ids of the pipeline's OTLP exporters, the default destinations. */
  static TelemetryConfig parse(ConfigNode.Section s, List<String> otlp) {
    ConfigNode.Section m = s.section("metrics");
    boolean enabled = DEFAULT.enabled();
    var level = m.get("level");
    if (level.isPresent()) {
      String l = level.get().asString();
      if (!LEVELS.contains(l)) {
        throw level.get().error("expected none, basic, normal or detailed, got '" + l + "'");
      }
      enabled = !l.equals("none");
    }
    var c =
        new TelemetryConfig(
            enabled, m.duration("interval", DEFAULT.interval()), m.strings("exporters", otlp));
    m.done();
    s.done();
    return c;
  }

  public void validate(String at, List<String> otlp, List<Problem> out) {
    if (!enabled) {
      return;
    }
    for (String id : exporters) {
      if (!otlp.contains(id)) {
        out.add(
            new Problem(
                at + ".exporters",
                "'" + id + "' is not an otlp/otlphttp exporter of the logs pipeline"));
      }
    }
    if (!exporters.isEmpty() && !interval.isPositive()) {
      // the SDK's periodic reader refuses it, with an exception and no key to name
      out.add(new Problem(at + ".interval", interval + " must be positive"));
    }
  }
}
