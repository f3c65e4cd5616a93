package io.github.otelkernel.receiver.config;

import java.util.List;

/** exporters.*: the settings of one exporter, named by its component id. */
public sealed interface ExporterConfig
    permits ConsoleExporterConfig, FileExporterConfig, OtlpExporterConfig {
  String id();

  /** What is wrong with these settings, without creating or connecting anything. */
  void validate(String at, List<Problem> out);
}
