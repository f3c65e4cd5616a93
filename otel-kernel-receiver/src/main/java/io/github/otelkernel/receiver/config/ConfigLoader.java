package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.config.AgentConfig.BatchConfig;
import io.github.otelkernel.receiver.config.AgentConfig.ConsoleExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.EbpfReceiverConfig;
import io.github.otelkernel.receiver.config.AgentConfig.ExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.FileExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.FileStorageConfig;
import io.github.otelkernel.receiver.config.AgentConfig.HealthCheckConfig;
import io.github.otelkernel.receiver.config.AgentConfig.OtlpExporterConfig;
import io.github.otelkernel.receiver.config.AgentConfig.QueueConfig;
import io.github.otelkernel.receiver.config.AgentConfig.TelemetryConfig;
import io.github.otelkernel.receiver.config.AgentConfig.TlsConfig;
import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads the agent's YAML, shaped like an OpenTelemetry Collector config:
 *
 * <pre>
 * receivers:  {ebpf: {ring_buffer_size_mib: 16}}
 * processors: {batch: {timeout: 200ms, send_batch_size: 512}}
 * exporters:  {console: {}, file: {path: out.jsonl}, otlp: {endpoint: host:4317, tls: {...}}}
 * extensions: {health_check: {endpoint: localhost:13133}}
 * service:    {extensions: [health_check], pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
 * </pre>
 *
 * Component ids are {@code type} or {@code type/name}, as in the Collector. Everything is checked
 * here, before anything is started; errors name the file, line and key.
 */
public final class ConfigLoader {
  private static final Set<String> TOP =
      Set.of("receivers", "processors", "exporters", "extensions", "service");
  private static final Set<String> RECEIVER_TYPES = Set.of("ebpf");
  private static final Set<String> PROCESSOR_TYPES = Set.of("batch");
  private static final Set<String> EXPORTER_TYPES = Set.of("console", "file", "otlp", "otlphttp");
  private static final Set<String> EXTENSION_TYPES = Set.of("health_check", "file_storage");

  private final Map<String, String> env;

  public ConfigLoader() {
    this(System.getenv());
  }

  public ConfigLoader(Map<String, String> env) {
    this.env = env;
  }

  public AgentConfig load(Path file) {
    String text;
    try {
      SafeFiles.checkTrusted(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": config file not found");
    } catch (IOException e) {
      throw new ConfigException(
          e.getMessage().startsWith(file.toString())
              ? e.getMessage()
              : file + ": " + e.getMessage());
    }
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": config file not found");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read config file: " + e.getMessage());
    }
    return parse(file.toString(), text);
  }

  /** The configuration the agent runs with when given none: live events on the console. */
  public AgentConfig loadDefault() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/default-config.yaml")) {
      return parse("default-config.yaml", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public AgentConfig parse(String name, String text) {
    Node root;
    try {
      LoadSettings settings =
          LoadSettings.builder().setLabel(name).setAllowDuplicateKeys(true).build();
      root = new Compose(settings).composeString(text).orElse(null);
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
      throw new ConfigException(name + ":" + line + ": invalid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ConfigException(
          name + ": invalid YAML: " + e.getMessage().lines().findFirst().orElse(""));
    }
    ConfigNode top = new ConfigNode(name, "", root, 1, env);
    if (top.isEmpty()) {
      throw new ConfigException(
          name + ":1: the config is empty; see docs/configuration.md for a minimal one");
    }
    Map<String, ConfigNode> sections = top.mapping(TOP);
    ConfigNode service = required(top, sections, "service");
    Map<String, ConfigNode> serviceKeys =
        service.mapping(Set.of("pipelines", "extensions", "telemetry"));
    ConfigNode pipelines = required(service, serviceKeys, "pipelines");
    Map<String, ConfigNode> pipelineMap = pipelines.mapping(Set.of("logs"));
    ConfigNode logs = required(pipelines, pipelineMap, "logs");
    Map<String, ConfigNode> logsKeys = logs.mapping(Set.of("receivers", "processors", "exporters"));

    Map<String, ConfigNode> receivers = components(sections.get("receivers"), RECEIVER_TYPES);
    Map<String, ConfigNode> processors = components(sections.get("processors"), PROCESSOR_TYPES);
    Map<String, ConfigNode> exporters = components(sections.get("exporters"), EXPORTER_TYPES);
    Map<String, ConfigNode> extensions = components(sections.get("extensions"), EXTENSION_TYPES);

    // receivers: exactly one ebpf receiver per agent (one set of probes per host)
    List<String> receiverIds = required(logs, logsKeys, "receivers").asStringList();
    if (receiverIds.isEmpty()) {
      throw logsKeys.get("receivers").error("list at least one receiver, e.g. [ebpf]");
    }
    EbpfReceiverConfig receiver = null;
    for (String id : receiverIds) {
      ConfigNode r = reference(logsKeys.get("receivers"), receivers, id, "receivers");
      if (receiver != null) {
        throw logsKeys
            .get("receivers")
            .error("only one ebpf receiver per agent; remove '" + id + "'");
      }
      receiver = ebpf(r);
    }

    BatchConfig batch = BatchConfig.DEFAULT;
    for (String id :
        logsKeys.containsKey("processors")
            ? logsKeys.get("processors").asStringList()
            : List.<String>of()) {
      batch = batch(reference(logsKeys.get("processors"), processors, id, "processors"));
    }

    List<String> exporterIds = required(logs, logsKeys, "exporters").asStringList();
    if (exporterIds.isEmpty()) {
      throw logsKeys.get("exporters").error("list at least one exporter, e.g. [console]");
    }
    Map<String, FileStorageConfig> storages = new LinkedHashMap<>();
    List<String> extensionIds =
        serviceKeys.containsKey("extensions")
            ? serviceKeys.get("extensions").asStringList()
            : List.of();
    for (String id : extensionIds) {
      ConfigNode ext = reference(serviceKeys.get("extensions"), extensions, id, "extensions");
      if (typeOf(id).equals("file_storage")) {
        storages.put(id, fileStorage(id, ext));
      }
    }
    List<ExporterConfig> exporterConfigs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String id : exporterIds) {
      if (!seen.add(id)) {
        throw logsKeys.get("exporters").error("exporter '" + id + "' is listed twice");
      }
      exporterConfigs.add(
          exporter(id, reference(logsKeys.get("exporters"), exporters, id, "exporters"), storages));
    }

    Optional<HealthCheckConfig> health = Optional.empty();
    for (String id : extensionIds) {
      if (typeOf(id).equals("health_check")) {
        health = Optional.of(healthCheck(extensions.get(id)));
      }
    }
    TelemetryConfig telemetry = telemetry(serviceKeys.get("telemetry"), exporterConfigs);
    return new AgentConfig(
        name,
        receiver,
        batch,
        List.copyOf(exporterConfigs),
        health,
        Map.copyOf(storages),
        telemetry);
  }

  private static ConfigNode required(ConfigNode parent, Map<String, ConfigNode> map, String key) {
    ConfigNode n = map.get(key);
    if (n == null) {
      throw parent.error("missing required key '" + key + "'");
    }
    return n;
  }

  /** A component section: ids of the form type[/name], each type known. */
  private static Map<String, ConfigNode> components(ConfigNode section, Set<String> types) {
    if (section == null) {
      return Map.of();
    }
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (var e : section.mapping(null).entrySet()) {
      String type = typeOf(e.getKey());
      if (!types.contains(type)) {
        throw e.getValue()
            .error(
                "unknown component type '"
                    + type
                    + "' (known: "
                    + String.join(", ", types.stream().sorted().toList())
                    + ")");
      }
      out.put(e.getKey(), e.getValue());
    }
    return out;
  }

  private static String typeOf(String id) {
    int slash = id.indexOf('/');
    return slash < 0 ? id : id.substring(0, slash);
  }

  private static ConfigNode reference(
      ConfigNode list, Map<String, ConfigNode> defined, String id, String section) {
    ConfigNode n = defined.get(id);
    if (n == null) {
      throw list.error("'" + id + "' is not defined under top-level '" + section + "'");
    }
    return n;
  }

  private static EbpfReceiverConfig ebpf(ConfigNode n) {
    var keys =
        n.mapping(Set.of("ring_buffer_size_mib", "policy", "health_interval", "state_directory"));
    int mib = EbpfReceiverConfig.DEFAULT.ringBufferSizeMib();
    if (keys.containsKey("ring_buffer_size_mib")) {
      ConfigNode v = keys.get("ring_buffer_size_mib");
      mib = (int) v.asLong(1, 1024);
      if (Integer.bitCount(mib) != 1) {
        throw v.error(mib + " is not a power of two (the kernel requires one): use 8, 16, 32, 64…");
      }
    }
    PolicyConfig policy =
        keys.containsKey("policy") ? PolicyParser.parse(keys.get("policy")) : PolicyConfig.DEFAULT;
    Duration health =
        keys.containsKey("health_interval")
            ? keys.get("health_interval").asDuration()
            : EbpfReceiverConfig.DEFAULT.healthInterval();
    Path state =
        keys.containsKey("state_directory")
            ? Path.of(keys.get("state_directory").asString())
            : EbpfReceiverConfig.DEFAULT_STATE_DIRECTORY;
    return new EbpfReceiverConfig(mib, policy, health, state);
  }

  private static BatchConfig batch(ConfigNode n) {
    var keys = n.mapping(Set.of("timeout", "send_batch_size", "queue_size", "queue_size_mib"));
    BatchConfig d = BatchConfig.DEFAULT;
    return new BatchConfig(
        keys.containsKey("timeout") ? keys.get("timeout").asDuration() : d.timeout(),
        keys.containsKey("send_batch_size")
            ? (int) keys.get("send_batch_size").asLong(1, 1 << 20)
            : d.sendBatchSize(),
        keys.containsKey("queue_size")
            ? (int) keys.get("queue_size").asLong(1, 1 << 24)
            : d.queueSize(),
        keys.containsKey("queue_size_mib")
            ? (int) keys.get("queue_size_mib").asLong(1, 1 << 16)
            : d.queueSizeMib());
  }

  private static FileStorageConfig fileStorage(String id, ConfigNode n) {
    var keys = n.mapping(Set.of("directory", "max_size_mib"));
    Path dir = Path.of(required(n, keys, "directory").asString());
    long max =
        keys.containsKey("max_size_mib") ? keys.get("max_size_mib").asLong(1, 1 << 20) : 1024;
    return new FileStorageConfig(id, dir, max);
  }

  private static TelemetryConfig telemetry(ConfigNode n, List<ExporterConfig> exporters) {
    List<String> otlp =
        exporters.stream()
            .filter(e -> e instanceof OtlpExporterConfig)
            .map(ExporterConfig::id)
            .toList();
    if (n == null) {
      return new TelemetryConfig(true, TelemetryConfig.DEFAULT.interval(), otlp);
    }
    var metrics = n.mapping(Set.of("metrics")).get("metrics");
    if (metrics == null) {
      return new TelemetryConfig(true, TelemetryConfig.DEFAULT.interval(), otlp);
    }
    var keys = metrics.mapping(Set.of("level", "interval", "exporters"));
    boolean enabled = true;
    if (keys.containsKey("level")) {
      String level = keys.get("level").asString();
      if (!Set.of("none", "basic", "normal", "detailed").contains(level)) {
        throw keys.get("level")
            .error("expected none, basic, normal or detailed, got '" + level + "'");
      }
      enabled = !level.equals("none");
    }
    Duration interval =
        keys.containsKey("interval")
            ? keys.get("interval").asDuration()
            : TelemetryConfig.DEFAULT.interval();
    List<String> ids = otlp;
    if (keys.containsKey("exporters")) {
      ids = keys.get("exporters").asStringList();
      for (String id : ids) {
        if (!otlp.contains(id)) {
          throw keys.get("exporters")
              .error("'" + id + "' is not an otlp/otlphttp exporter of the logs pipeline");
        }
      }
    }
    return new TelemetryConfig(enabled, interval, ids);
  }

  private static ExporterConfig exporter(
      String id, ConfigNode n, Map<String, FileStorageConfig> storages) {
    return switch (typeOf(id)) {
      case "console" -> {
        n.mapping(Set.of());
        yield new ConsoleExporterConfig(id);
      }
      case "file" -> {
        var keys = n.mapping(Set.of("path", "rotation"));
        Path path = Path.of(required(n, keys, "path").asString());
        int mb = 100;
        int backups = 5;
        if (keys.containsKey("rotation")) {
          var r = keys.get("rotation").mapping(Set.of("max_megabytes", "max_backups"));
          mb =
              r.containsKey("max_megabytes") ? (int) r.get("max_megabytes").asLong(1, 1 << 20) : mb;
          backups =
              r.containsKey("max_backups") ? (int) r.get("max_backups").asLong(0, 1000) : backups;
        }
        yield new FileExporterConfig(id, path, mb, backups);
      }
      default -> otlp(id, n, storages);
    };
  }

  private static OtlpExporterConfig otlp(
      String id, ConfigNode n, Map<String, FileStorageConfig> storages) {
    var keys =
        n.mapping(
            Set.of(
                "endpoint",
                "tls",
                "headers",
                "compression",
                "timeout",
                "sending_queue",
                "retry_on_failure"));
    ConfigNode endpointNode = required(n, keys, "endpoint");
    String endpoint = endpointNode.asString();
    if (endpoint.isBlank() || endpoint.contains(" ")) {
      throw endpointNode.error("expected host:port or https://host:port, got '" + endpoint + "'");
    }
    if (endpoint.matches("(?s)([A-Za-z][A-Za-z0-9+.-]*://)?[^/]*@.*")) {
      // not echoed: the value holds the credentials
      throw endpointNode.error(
          "credentials in the endpoint (user:password@host) would be logged and sent on every"
              + " request: remove them and set an authorization header in exporters."
              + id
              + ".headers instead");
    }
    TlsConfig tls = TlsConfig.DEFAULT;
    if (keys.containsKey("tls")) {
      var t = keys.get("tls").mapping(Set.of("insecure", "ca_file", "cert_file", "key_file"));
      tls =
          new TlsConfig(
              t.containsKey("insecure") && t.get("insecure").asBoolean(),
              readableFile(t.get("ca_file")),
              readableFile(t.get("cert_file")),
              readableFile(t.get("key_file")));
      if (tls.certFile().isPresent() != tls.keyFile().isPresent()) {
        throw keys.get("tls").error("cert_file and key_file go together (mutual TLS needs both)");
      }
    }
    String compression = "gzip";
    if (keys.containsKey("compression")) {
      compression = keys.get("compression").asString();
      if (!compression.equals("gzip") && !compression.equals("none")) {
        throw keys.get("compression").error("expected gzip or none, got '" + compression + "'");
      }
    }
    QueueConfig queue = QueueConfig.DEFAULT;
    if (keys.containsKey("sending_queue")) {
      var q =
          keys.get("sending_queue")
              .mapping(
                  Set.of(
                      "enabled", "queue_size", "queue_size_mib", "storage", "low_priority_events"));
      Optional<String> storage = Optional.empty();
      if (q.containsKey("storage")) {
        storage = Optional.of(q.get("storage").asString());
        if (!storages.containsKey(storage.get())) {
          throw q.get("storage")
              .error(
                  "'"
                      + storage.get()
                      + "' is not a file_storage extension listed in service.extensions");
        }
      }
      queue =
          new QueueConfig(
              !q.containsKey("enabled") || q.get("enabled").asBoolean(),
              q.containsKey("queue_size")
                  ? (int) q.get("queue_size").asLong(1, 1 << 24)
                  : QueueConfig.DEFAULT.queueSize(),
              q.containsKey("queue_size_mib")
                  ? (int) q.get("queue_size_mib").asLong(1, 1 << 16)
                  : QueueConfig.DEFAULT.queueSizeMib(),
              storage,
              q.containsKey("low_priority_events")
                  ? Set.copyOf(q.get("low_priority_events").asStringList())
                  : QueueConfig.DEFAULT_LOW_PRIORITY);
    }
    RetryPolicy retry = RetryPolicy.DEFAULT;
    if (keys.containsKey("retry_on_failure")) {
      var r =
          keys.get("retry_on_failure")
              .mapping(Set.of("enabled", "initial_interval", "max_interval", "max_elapsed_time"));
      var d = RetryPolicy.DEFAULT;
      Duration initial =
          r.containsKey("initial_interval")
              ? r.get("initial_interval").asDuration()
              : d.initialInterval();
      Duration max =
          r.containsKey("max_interval") ? r.get("max_interval").asDuration() : d.maxInterval();
      if (initial.isZero()
          || max.compareTo(initial) < 0) { // checked here too, for an error naming the line
        throw keys.get("retry_on_failure").error("need 0 < initial_interval <= max_interval");
      }
      retry =
          new RetryPolicy(
              !r.containsKey("enabled") || r.get("enabled").asBoolean(),
              initial,
              max,
              r.containsKey("max_elapsed_time")
                  ? r.get("max_elapsed_time").asDuration()
                  : d.maxElapsed());
    }
    return new OtlpExporterConfig(
        id,
        typeOf(id).equals("otlphttp"),
        endpoint,
        tls,
        keys.containsKey("headers") ? keys.get("headers").asStringMap() : Map.of(),
        compression,
        keys.containsKey("timeout")
            ? keys.get("timeout").asDuration()
            : java.time.Duration.ofSeconds(10),
        retry,
        queue);
  }

  private static Optional<Path> readableFile(ConfigNode n) {
    if (n == null) {
      return Optional.empty();
    }
    Path p = Path.of(n.asString());
    if (!Files.isReadable(p)) {
      throw n.error(
          "cannot read " + p + (Files.exists(p) ? " (permission denied)" : " (no such file)"));
    }
    try {
      SafeFiles.checkTrusted(p); // a CA or key others can replace hands them the connection
    } catch (IOException e) {
      throw n.error(e.getMessage());
    }
    return Optional.of(p);
  }

  private static HealthCheckConfig healthCheck(ConfigNode n) {
    var keys = n.mapping(Set.of("endpoint", "path"));
    String endpoint =
        keys.containsKey("endpoint") ? keys.get("endpoint").asString() : "localhost:13133";
    int colon = endpoint.lastIndexOf(':');
    int port;
    try {
      port = Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException | IndexOutOfBoundsException e) {
      throw (keys.containsKey("endpoint") ? keys.get("endpoint") : n)
          .error("expected host:port, got '" + endpoint + "'");
    }
    if (colon < 0 || port < 0 || port > 65535) {
      throw keys.get("endpoint")
          .error("expected host:port with a port 0-65535, got '" + endpoint + "'");
    }
    String host = endpoint.substring(0, colon).replaceAll("^\\[|]$", "");
    String path = keys.containsKey("path") ? keys.get("path").asString() : "/";
    return new HealthCheckConfig(host.isEmpty() ? "0.0.0.0" : host, port, path);
  }
}
