package io.github.otelkernel.receiver.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated configuration of one agent: one logs pipeline from the ebpf receiver to its exporters. */
public record AgentConfig(
    String source,
    EbpfReceiverConfig receiver,
    BatchConfig batch,
    List<ExporterConfig> exporters,
    Optional<HealthCheckConfig> healthCheck) {

  /** receivers.ebpf */
  public record EbpfReceiverConfig(int ringBufferSizeMib) {
    public static final EbpfReceiverConfig DEFAULT = new EbpfReceiverConfig(16);

    public long ringBufferBytes() {
      return (long) ringBufferSizeMib << 20;
    }
  }

  /**
   * processors.batch, with the Collector's key names; also the bounds of each exporter's in-memory
   * queue.
   */
  public record BatchConfig(Duration timeout, int sendBatchSize, int queueSize) {
    public static final BatchConfig DEFAULT = new BatchConfig(Duration.ofMillis(200), 512, 65_536);
  }

  /** exporters.* */
  public sealed interface ExporterConfig {
    String id();
  }

  public record ConsoleExporterConfig(String id) implements ExporterConfig {}

  /** OTLP/JSON lines, the format of the Collector's file exporter. */
  public record FileExporterConfig(String id, Path path) implements ExporterConfig {}

  public record OtlpExporterConfig(
      String id,
      String endpoint,
      TlsConfig tls,
      Map<String, String> headers,
      String compression,
      Duration timeout,
      Optional<Integer> queueSize)
      implements ExporterConfig {}

  /** The Collector's configtls keys. */
  public record TlsConfig(
      boolean insecure, Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
    public static final TlsConfig DEFAULT = new TlsConfig(false, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** extensions.health_check */
  public record HealthCheckConfig(String host, int port, String path) {}
}
