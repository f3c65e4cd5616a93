package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The validated configuration of one agent: one logs pipeline from the ebpf receiver to its
 * exporters.
 */
public record AgentConfig(
    String source,
    EbpfReceiverConfig receiver,
    BatchConfig batch,
    List<ExporterConfig> exporters,
    Optional<HealthCheckConfig> healthCheck,
    Map<String, FileStorageConfig> storages,
    TelemetryConfig telemetry) {

  /** receivers.ebpf */
  /**
   * @param healthInterval how often an agent.health record reports the agent's counters (zero: only
   *     at stop)
   * @param stateDirectory where the agent notes that it runs, so that the next start can tell an
   *     unclean stop
   */
  public record EbpfReceiverConfig(
      int ringBufferSizeMib, PolicyConfig policy, Duration healthInterval, Path stateDirectory) {
    public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/var/lib/otel-kernel-receiver");
    public static final EbpfReceiverConfig DEFAULT =
        new EbpfReceiverConfig(
            16, PolicyConfig.DEFAULT, Duration.ofSeconds(60), DEFAULT_STATE_DIRECTORY);

    public long ringBufferBytes() {
      return (long) ringBufferSizeMib << 20;
    }
  }

  /**
   * processors.batch, with the Collector's key names; also the bounds of each exporter's in-memory
   * queue, in records and in estimated bytes (queue_size_mib).
   */
  public record BatchConfig(Duration timeout, int sendBatchSize, int queueSize, int queueSizeMib) {
    public static final BatchConfig DEFAULT =
        new BatchConfig(Duration.ofMillis(200), 512, 16_384, 32);
  }

  /** exporters.* */
  public sealed interface ExporterConfig {
    String id();
  }

  public record ConsoleExporterConfig(String id) implements ExporterConfig {}

  /** OTLP/JSON lines, the format of the Collector's file exporter. */
  public record FileExporterConfig(String id, Path path, int maxMegabytes, int maxBackups)
      implements ExporterConfig {
    public FileExporterConfig(String id, Path path) {
      this(id, path, 100, 5); // rotation: the Collector fileexporter's defaults
    }
  }

  /** exporters.otlp (gRPC) and exporters.otlphttp (HTTP/protobuf). */
  public record OtlpExporterConfig(
      String id,
      boolean http,
      String endpoint,
      TlsConfig tls,
      Map<String, String> headers,
      String compression,
      Duration timeout,
      RetryPolicy retry,
      QueueConfig queue)
      implements ExporterConfig {}

  /** sending_queue: records held in memory, or spooled through a file_storage extension. */
  /**
   * queue_size_mib bounds the in-memory queue in estimated bytes; with storage the file_storage's
   * size bounds it.
   */
  public record QueueConfig(
      boolean enabled,
      int queueSize,
      int queueSizeMib,
      Optional<String> storage,
      Set<String> lowPriorityEvents) {
    /** EventNames of the types the catalog marks low_priority (process.fork, process.exit). */
    public static final Set<String> DEFAULT_LOW_PRIORITY =
        java.util.Arrays.stream(io.github.otelkernel.receiver.decode.EventType.values())
            .filter(io.github.otelkernel.receiver.decode.EventType::lowPriority)
            .map(io.github.otelkernel.receiver.decode.EventType::eventName)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    public static final QueueConfig DEFAULT =
        new QueueConfig(true, 16_384, 32, Optional.empty(), DEFAULT_LOW_PRIORITY);
  }

  /**
   * extensions.file_storage: where sending queues spool, and how much disk they may take in all.
   */
  public record FileStorageConfig(String id, Path directory, long maxSizeMib) {}

  /** service.telemetry.metrics: the agent's own metrics, sent with the OTLP exporters named. */
  public record TelemetryConfig(boolean enabled, Duration interval, List<String> exporters) {
    public static final TelemetryConfig DEFAULT =
        new TelemetryConfig(true, Duration.ofSeconds(60), List.of());
  }

  /** The Collector's configtls keys. */
  public record TlsConfig(
      boolean insecure, Optional<Path> caFile, Optional<Path> certFile, Optional<Path> keyFile) {
    public static final TlsConfig DEFAULT =
        new TlsConfig(false, Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** extensions.health_check */
  public record HealthCheckConfig(String host, int port, String path) {}
}
