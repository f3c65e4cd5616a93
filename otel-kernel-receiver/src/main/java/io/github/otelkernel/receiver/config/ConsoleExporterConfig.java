package io.github.otelkernel.receiver.config;

import java.util.List;

/** exporters.console: one line per record on the terminal; it has no settings. */
public record ConsoleExporterConfig(String id) implements ExporterConfig {
  static ConsoleExporterConfig parse(String id, ConfigNode.Section s) {
    s.done();
    return new ConsoleExporterConfig(id);
  }

  @Override
  public void validate(String at, List<Problem> out) {}
}
