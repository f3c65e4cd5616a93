package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ConsoleExporterConfig;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.config.FileExporterConfig;
import io.github.otelkernel.receiver.config.FileStorageConfig;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import io.github.otelkernel.receiver.export.queue.DeliveryStats;
import io.github.otelkernel.receiver.export.queue.MemoryQueue;
import io.github.otelkernel.receiver.export.queue.PersistentQueue;
import io.github.otelkernel.receiver.export.queue.QueuedExporter;
import io.github.otelkernel.receiver.export.queue.SendingQueue;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.exporter.logging.otlp.internal.logs.OtlpStdoutLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/** Builds the configured exporters, each wrapped so that what it delivers and loses is counted. */
public final class ExporterFactory {
  private static final Logger LOG = Logger.getLogger(ExporterFactory.class.getName());

  /** An exporter ready for a batch processor, with its delivery counters. */
  public record BuiltExporter(
      String id,
      LogRecordExporter exporter,
      DeliveryStats stats,
      String description,
      Optional<QueuedExporter> queue) {}

  /** What a sending queue gets at shutdown to deliver what it holds. */
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private final PrintStream console;
  private final Map<String, FileStorageConfig> storages;
  private final java.util.function.Supplier<MeterProvider> meterProvider;
  private final GrpcChannels channels = new GrpcChannels();

  public ExporterFactory(
      PrintStream console,
      Map<String, FileStorageConfig> storages,
      java.util.function.Supplier<MeterProvider> meterProvider) {
    this.console = console;
    this.storages = storages;
    this.meterProvider = meterProvider;
  }

  public BuiltExporter build(ExporterConfig config) {
    DeliveryStats stats = new DeliveryStats(config.id());
    return switch (config) {
      case ConsoleExporterConfig c ->
          new BuiltExporter(
              c.id(),
              new CountingLogRecordExporter(new ConsoleLogRecordExporter(console), stats),
              stats,
              "console",
              Optional.empty());
      case FileExporterConfig f ->
          new BuiltExporter(
              f.id(),
              new CountingLogRecordExporter(file(f), stats),
              stats,
              "OTLP/JSON lines to " + f.path(),
              Optional.empty());
      case OtlpExporterConfig o -> queued(o, stats);
    };
  }

  /** The gRPC channels the exporters use; closed by the agent after the exporters shut down. */
  public GrpcChannels channels() {
    return channels;
  }

  private BuiltExporter queued(OtlpExporterConfig o, DeliveryStats stats) {
    String what = (o.http() ? "OTLP/HTTP to " : "OTLP/gRPC to ") + uri(o);
    LogRecordExporter network = o.http() ? otlpHttp(o) : otlp(o);
    if (!o.queue().enabled()) {
      return new BuiltExporter(
          o.id(), new CountingLogRecordExporter(network, stats), stats, what, Optional.empty());
    }
    Optional<Path> spool =
        o.queue()
            .storage()
            .map(id -> storages.get(id).directory().resolve(o.id().replace('/', '_')));
    long spoolBytes = o.queue().storage().map(id -> storages.get(id).maxSizeMib() << 20).orElse(0L);
    SendingQueue queue;
    try {
      queue =
          spool.isPresent()
              ? new PersistentQueue(
                  o.id(), stats, spool.get(), spoolBytes, o.queue().lowPriorityEvents())
              : new MemoryQueue(
                  o.id(),
                  stats,
                  o.queue().queueSize(),
                  (long) o.queue().queueSizeMib() << 20,
                  o.queue().lowPriorityEvents());
    } catch (IllegalStateException e) {
      throw new ConfigException(
          "extensions." + o.queue().storage().orElse("file_storage") + ": " + e.getMessage());
    }
    QueuedExporter q = new QueuedExporter(o.id(), network, stats, queue, o.retry(), DRAIN_TIMEOUT);
    return new BuiltExporter(
        o.id(), q, stats, what + spool.map(p -> ", spooling to " + p).orElse(""), Optional.of(q));
  }

  private static LogRecordExporter file(FileExporterConfig f) {
    OutputStream out;
    try {
      out = new LineFileOutput(f.path(), (long) f.maxMegabytes() << 20, f.maxBackups());
    } catch (IOException e) {
      String why =
          e instanceof java.nio.file.NoSuchFileException
              ? "no such directory"
              : String.valueOf(e.getMessage());
      throw new ConfigException(
          "exporters."
              + f.id()
              + ".path: "
              + (why.startsWith(f.path().toString()) || why.startsWith("directory ")
                  ? why
                  : "cannot write "
                      + f.path()
                      + ": "
                      + why
                      + " (check that the directory exists and is writable)"));
    }
    // The SDK's OTLP/JSON stdout exporter writes one ExportLogsServiceRequest per line when
    // wrapped: the Collector file exporter's format. Internal API, pinned by the OTel BOM version.
    LogRecordExporter json =
        new OtlpStdoutLogRecordExporterBuilder(Logger.getLogger("otlp-json"))
            .setOutput(out)
            .setWrapperJsonObject(true)
            .build();
    return new FlushingExporter(json, out);
  }

  /** Flushes the file after every batch, so that what was reported exported is on disk. */
  private record FlushingExporter(LogRecordExporter delegate, OutputStream out)
      implements LogRecordExporter {
    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      CompletableResultCode r = delegate.export(logs);
      try {
        out.flush();
      } catch (IOException e) {
        return CompletableResultCode.ofExceptionalFailure(e);
      }
      return r;
    }

    @Override
    public CompletableResultCode flush() {
      try {
        out.flush();
        return CompletableResultCode.ofSuccess();
      } catch (IOException e) {
        return CompletableResultCode.ofExceptionalFailure(e);
      }
    }

    @Override
    public CompletableResultCode shutdown() {
      delegate.shutdown();
      try {
        out.close();
        return CompletableResultCode.ofSuccess();
      } catch (IOException e) {
        return CompletableResultCode.ofExceptionalFailure(e);
      }
    }
  }

  /**
   * The checks only creating an exporter can make, made without connecting: its TLS files parse as
   * PEM certificates and keys. Run by validate and by start, after the configuration's own checks.
   */
  public static void check(OtlpExporterConfig o) {
    TlsMaterial.read(tlsKey(o), o.tls()).grpcContext();
  }

  private static String tlsKey(OtlpExporterConfig o) {
    return "exporters." + o.id() + ".tls";
  }

  /** The endpoint, the configuration having been validated; a warning when sent in plaintext. */
  private static URI uri(OtlpExporterConfig o) {
    URI uri = o.uri();
    if (o.plaintextToRemote()) {
      // validate refused it unless tls.insecure says so
      LOG.warning(
          "exporters."
              + o.id()
              + ": sending to "
              + uri.getHost()
              + " without TLS (tls.insecure: true); events can be read and altered on the network");
    }
    return uri;
  }

  /**
   * A metric exporter to the same destination, with the same TLS and headers, for the agent's own
   * metrics.
   */
  public MetricExporter metricExporter(OtlpExporterConfig o) {
    URI uri = uri(o);
    TlsMaterial tls = TlsMaterial.read(tlsKey(o), o.tls());
    if (o.http()) {
      String base = uri.toString().replaceAll("/+$", "").replaceAll("/v1/logs$", "");
      var b =
          OtlpHttpMetricExporter.builder()
              .setEndpoint(base + "/v1/metrics")
              .setTimeout(o.timeout())
              .setCompression(o.compression());
      o.headers().forEach(b::addHeader);
      tls.applyTo(b::setTrustedCertificates, b::setClientTls);
      return build(o, b::build);
    }
    @SuppressWarnings("deprecation") // setChannel: see GrpcChannels
    var b =
        OtlpGrpcMetricExporter.builder()
            .setChannel(channels.channel(uri, tls))
            .setTimeout(o.timeout())
            .setCompression(o.compression());
    o.headers().forEach(b::addHeader);
    return build(o, b::build);
  }

  private LogRecordExporter otlpHttp(OtlpExporterConfig o) {
    URI uri = uri(o);
    String base = uri.toString().replaceAll("/+$", "");
    OtlpHttpLogRecordExporterBuilder b =
        OtlpHttpLogRecordExporter.builder()
            .setEndpoint(base.endsWith("/v1/logs") ? base : base + "/v1/logs")
            .setTimeout(o.timeout())
            .setCompression(o.compression())
            .setMeterProvider(meterProvider);
    if (o.queue().enabled()) {
      b.setRetryPolicy(null); // the sending queue retries, with the Collector's settings
    }
    o.headers().forEach(b::addHeader);
    TlsMaterial.read(tlsKey(o), o.tls()).applyTo(b::setTrustedCertificates, b::setClientTls);
    return build(o, b::build);
  }

  private LogRecordExporter otlp(OtlpExporterConfig o) {
    URI uri = uri(o);
    @SuppressWarnings("deprecation") // setChannel: see GrpcChannels
    OtlpGrpcLogRecordExporterBuilder b =
        OtlpGrpcLogRecordExporter.builder()
            .setChannel(channels.channel(uri, TlsMaterial.read(tlsKey(o), o.tls())))
            .setTimeout(o.timeout())
            .setCompression(o.compression())
            .setMeterProvider(meterProvider);
    if (o.queue().enabled()) {
      b.setRetryPolicy(null); // the sending queue retries, with the Collector's settings
    }
    o.headers().forEach(b::addHeader);
    return build(o, b::build);
  }

  /** An SDK builder's refusal (a header it does not take, say), named by the exporter's key. */
  private static <T> T build(OtlpExporterConfig o, java.util.function.Supplier<T> builder) {
    try {
      return builder.get();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException("exporters." + o.id() + ": " + e.getMessage());
    }
  }
}
