package io.github.otelkernel.receiver.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The configuration of one agent: one logs pipeline from the ebpf receiver to its exporters. Each
 * component's settings, defaults, parser and checks are in its own record; {@link #validate} is
 * what both {@code validate} and start run, so that they agree.
 */
public record AgentConfig(
    String source,
    EbpfReceiverConfig receiver,
    BatchConfig batch,
    List<ExporterConfig> exporters,
    Optional<HealthCheckConfig> healthCheck,
    Map<String, FileStorageConfig> storages,
    TelemetryConfig telemetry) {

  /**
   * What is wrong with this configuration, each problem under its key; empty when it can run.
   * Side-effect free: it looks at files and directories but creates, opens and connects nothing.
   */
  public List<Problem> validate() {
    List<Problem> out = new ArrayList<>();
    receiver.validate("receivers.ebpf", out);
    batch.validate("processors.batch", out);
    String pipeline = "service.pipelines.logs.exporters";
    if (exporters.isEmpty()) {
      out.add(new Problem(pipeline, "list at least one exporter, e.g. [console]"));
    }
    Set<String> ids = new HashSet<>();
    List<String> otlp = new ArrayList<>();
    for (ExporterConfig e : exporters) {
      if (!ids.add(e.id())) {
        // the stop summary, agent.health and the metrics tell exporters apart by id
        out.add(new Problem(pipeline, "exporter '" + e.id() + "' is listed twice"));
        continue;
      }
      String at = "exporters." + e.id();
      if (e instanceof OtlpExporterConfig o) {
        otlp.add(o.id());
        o.validate(at, storages.keySet(), out);
      } else {
        e.validate(at, out);
      }
    }
    storages.values().forEach(s -> s.validate("extensions." + s.id(), out));
    healthCheck.ifPresent(h -> h.validate("extensions.health_check", out));
    telemetry.validate("service.telemetry.metrics", otlp, out);
    return out;
  }
}
