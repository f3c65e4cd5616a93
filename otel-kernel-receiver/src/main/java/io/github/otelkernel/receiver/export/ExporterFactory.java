package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.config.AgentConfig.ConsoleExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.ExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.FileExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.FileStorageConfig;
import io.github.otelkernel.receiver.config.AgentConfig.OtlpExporterConfig;
import io.github.otelkernel.receiver.config.ConfigException;
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
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
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

  /**
   * resource and scope are no longer used: the spool keeps each record's own since it stores OTLP.
   * They stay in the signature only until the Agent split lands, so that Agent need not change
   * meanwhile; then the parameters go.
   */
  public ExporterFactory(
      PrintStream console,
      Resource resource,
      InstrumentationScopeInfo scope,
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
    String what = (o.http() ? "OTLP/HTTP to " : "OTLP/gRPC to ") + endpointUri(o);
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

  /** Collector semantics: no scheme means TLS unless tls.insecure is set. */
  static URI endpointUri(OtlpExporterConfig o) {
    String e = o.endpoint();
    if (!e.contains("://")) {
      e = (o.tls().insecure() ? "http://" : "https://") + e;
    }
    URI uri = URI.create(e);
    if (uri.getHost() == null || uri.getPort() == -1 && !e.matches("https?://[^/]+$")) {
      throw new ConfigException(
          "exporters." + o.id() + ".endpoint: expected host:port, got '" + o.endpoint() + "'");
    }
    return uri;
  }

  /**
   * A metric exporter to the same destination, with the same TLS and headers, for the agent's own
   * metrics.
   */
  public MetricExporter metricExporter(OtlpExporterConfig o) {
    URI uri = checkedUri(o);
    try {
      if (o.http()) {
        String base = uri.toString().replaceAll("/+$", "").replaceAll("/v1/logs$", "");
        var b =
            OtlpHttpMetricExporter.builder()
                .setEndpoint(base + "/v1/metrics")
                .setTimeout(o.timeout())
                .setCompression(o.compression());
        o.headers().forEach(b::addHeader);
        if (o.tls().caFile().isPresent()) {
          b.setTrustedCertificates(Files.readAllBytes(o.tls().caFile().get()));
        }
        if (o.tls().certFile().isPresent()) {
          b.setClientTls(
              Files.readAllBytes(o.tls().keyFile().get()),
              Files.readAllBytes(o.tls().certFile().get()));
        }
        return b.build();
      }
      @SuppressWarnings("deprecation") // setChannel: see GrpcChannels
      var b =
          OtlpGrpcMetricExporter.builder()
              .setChannel(channels.channel(o, uri))
              .setTimeout(o.timeout())
              .setCompression(o.compression());
      o.headers().forEach(b::addHeader);
      return b.build();
    } catch (IOException e) {
      throw new ConfigException("exporters." + o.id() + ".tls: cannot read " + e.getMessage());
    }
  }

  private LogRecordExporter otlpHttp(OtlpExporterConfig o) {
    URI uri = checkedUri(o);
    String base = uri.toString().replaceAll("/+$", "");
    OtlpHttpLogRecordExporterBuilder b =
        OtlpHttpLogRecordExporter.builder()
            .setEndpoint(base.endsWith("/v1/logs") ? base : base + "/v1/logs")
            .setTimeout(o.timeout())
            .setCompression(o.compression())
            .setMeterProvider(meterProvider);
    if (o.queue().enabled()) {
      b.setRetryPolicy(null);
    }
    o.headers().forEach(b::addHeader);
    try {
      if (o.tls().caFile().isPresent()) {
        b.setTrustedCertificates(Files.readAllBytes(o.tls().caFile().get()));
      }
      if (o.tls().certFile().isPresent()) {
        b.setClientTls(
            Files.readAllBytes(o.tls().keyFile().get()),
            Files.readAllBytes(o.tls().certFile().get()));
      }
      return b.build();
    } catch (IOException e) {
      throw new ConfigException("exporters." + o.id() + ".tls: cannot read " + e.getMessage());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException("exporters." + o.id() + ": " + e.getMessage());
    }
  }

  /** The endpoint, refused when it would send in plaintext to another host without tls.insecure. */
  private static URI checkedUri(OtlpExporterConfig o) {
    URI uri = endpointUri(o);
    boolean plaintext = uri.getScheme().equals("http");
    if (plaintext && !isLoopback(uri.getHost())) {
      if (!o.tls().insecure()) {
        throw new ConfigException(
            "exporters."
                + o.id()
                + ".endpoint: "
                + uri
                + " sends security events unencrypted to another host: use https:// or set tls.insecure: true to accept it");
      }
      LOG.warning(
          "exporters."
              + o.id()
              + ": sending to "
              + uri.getHost()
              + " without TLS (tls.insecure: true); events can be read and altered on the network");
    }
    return uri;
  }

  private LogRecordExporter otlp(OtlpExporterConfig o) {
    URI uri = checkedUri(o);
    @SuppressWarnings("deprecation") // setChannel: see GrpcChannels
    OtlpGrpcLogRecordExporterBuilder b =
        OtlpGrpcLogRecordExporter.builder()
            .setChannel(channels.channel(o, uri))
            .setTimeout(o.timeout())
            .setCompression(o.compression())
            .setMeterProvider(meterProvider);
    if (o.queue().enabled()) {
      b.setRetryPolicy(null); // the sending queue retries, with the Collector's settings
    }
    o.headers().forEach(b::addHeader);
    try {
      return b.build();
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException("exporters." + o.id() + ": " + e.getMessage());
    }
  }

  /**
   * Every address the name resolves to is loopback: one that is not could carry the events off the
   * host.
   */
  static boolean isLoopback(String host) {
    try {
      InetAddress[] all = InetAddress.getAllByName(host);
      return all.length > 0
          && java.util.Arrays.stream(all).allMatch(InetAddress::isLoopbackAddress);
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
