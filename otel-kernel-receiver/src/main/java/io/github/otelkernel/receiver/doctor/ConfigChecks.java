package io.github.otelkernel.receiver.doctor;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ConfigLoader;
import io.github.otelkernel.receiver.config.ConsoleExporterConfig;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.config.FileExporterConfig;
import io.github.otelkernel.receiver.config.HealthCheckConfig;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import io.github.otelkernel.receiver.export.EndpointProbe;
import io.github.otelkernel.receiver.pipeline.Agent;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The configuration's side: the checks {@code validate} makes, then what only a live check can
 * tell: whether each exporter's destination answers (a TLS handshake with its CA), and whether the
 * health endpoint's port is free.
 */
final class ConfigChecks {
  private ConfigChecks() {}

  static List<Check> run(Path file, Duration timeout) {
    List<Check> out = new ArrayList<>();
    AgentConfig cfg;
    try {
      cfg = file == null ? new ConfigLoader().loadDefault() : new ConfigLoader().load(file);
      Agent.builder(cfg).validate();
    } catch (ConfigException e) {
      e.getMessage().lines().forEach(l -> out.add(Check.fail("config", l)));
      return out;
    }
    out.add(
        Check.ok(
            "config",
            (file == null ? "the built-in default" : file.toString())
                + ": valid (exporters "
                + String.join(", ", cfg.exporters().stream().map(ExporterConfig::id).toList())
                + ")"));
    for (ExporterConfig e : cfg.exporters()) {
      out.add(exporter(e, timeout));
    }
    cfg.healthCheck().ifPresent(h -> out.add(healthCheck(h)));
    return out;
  }

  static Check exporter(ExporterConfig e, Duration timeout) {
    String name = "exporter " + e.id();
    return switch (e) {
      case ConsoleExporterConfig c -> Check.ok(name, "the terminal (standard output)");
      case FileExporterConfig f -> Check.ok(name, "appends OTLP/JSON to " + f.path());
      case OtlpExporterConfig o -> {
        EndpointProbe.Result r = EndpointProbe.probe(o, timeout);
        // the agent starts either way: its sending queue holds (or spools) until the destination
        // answers, so an unreachable one is a warning, not a failure
        yield r.reached()
            ? Check.ok(name, r.detail())
            : Check.warn(
                name,
                r.detail()
                    + "; the agent starts, and its records wait in the sending queue"
                    + (o.queue().storage().isPresent() ? " and spool" : "")
                    + " until it answers");
      }
    };
  }

  static Check healthCheck(HealthCheckConfig h) {
    String where = h.host() + ":" + h.port();
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(InetAddress.getByName(h.host()), h.port()));
      return Check.ok("health_check", where + " is free");
    } catch (IOException e) {
      return Check.fail(
          "health_check",
          "cannot listen on "
              + where
              + " ("
              + e.getMessage()
              + "): is another agent running? Stop it or change extensions.health_check.endpoint");
    }
  }
}
