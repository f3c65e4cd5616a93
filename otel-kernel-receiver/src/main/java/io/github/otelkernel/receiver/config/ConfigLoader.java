package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
    ConfigNode.Section sections = top.section();
    Map<String, ConfigNode> receivers = components(sections.get("receivers"), RECEIVER_TYPES);
    Map<String, ConfigNode> processors = components(sections.get("processors"), PROCESSOR_TYPES);
    Map<String, ConfigNode> exporters = components(sections.get("exporters"), EXPORTER_TYPES);
    Map<String, ConfigNode> extensions = components(sections.get("extensions"), EXTENSION_TYPES);
    ConfigNode.Section service = sections.required("service").section();
    sections.done();
    ConfigNode.Section pipelines = service.required("pipelines").section();
    ConfigNode.Section logs = pipelines.required("logs").section();

    // receivers: exactly one ebpf receiver per agent (one set of probes per host)
    ConfigNode receiverList = logs.required("receivers");
    List<String> receiverIds = receiverList.asStringList();
    if (receiverIds.isEmpty()) {
      throw receiverList.error("list at least one receiver, e.g. [ebpf]");
    }
    if (receiverIds.size() > 1) {
      throw receiverList.error(
          "only one ebpf receiver per agent; remove '" + receiverIds.get(1) + "'");
    }
    EbpfReceiverConfig receiver =
        EbpfReceiverConfig.parse(
            reference(receiverList, receivers, receiverIds.get(0), "receivers").section());

    BatchConfig batch = BatchConfig.DEFAULT;
    var processorList = logs.get("processors");
    for (String id : processorList.map(ConfigNode::asStringList).orElse(List.of())) {
      batch =
          BatchConfig.parse(reference(processorList.get(), processors, id, "processors").section());
    }

    ConfigNode exporterList = logs.required("exporters");
    List<String> exporterIds = exporterList.asStringList();
    if (exporterIds.isEmpty()) {
      throw exporterList.error("list at least one exporter, e.g. [console]");
    }
    Map<String, FileStorageConfig> storages = new LinkedHashMap<>();
    Optional<HealthCheckConfig> health = Optional.empty();
    var extensionList = service.get("extensions");
    for (String id : extensionList.map(ConfigNode::asStringList).orElse(List.of())) {
      ConfigNode ext = reference(extensionList.get(), extensions, id, "extensions");
      switch (typeOf(id)) {
        case "file_storage" -> storages.put(id, FileStorageConfig.parse(id, ext.section()));
        default -> health = Optional.of(HealthCheckConfig.parse(ext.section()));
      }
    }
    List<ExporterConfig> exporterConfigs = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String id : exporterIds) {
      if (!seen.add(id)) {
        throw exporterList.error("exporter '" + id + "' is listed twice");
      }
      ConfigNode.Section e = reference(exporterList, exporters, id, "exporters").section();
      exporterConfigs.add(
          switch (typeOf(id)) {
            case "console" -> ConsoleExporterConfig.parse(id, e);
            case "file" -> FileExporterConfig.parse(id, e);
            default -> OtlpExporterConfig.parse(id, typeOf(id).equals("otlphttp"), e);
          });
    }
    logs.done();
    pipelines.done();
    List<String> otlp =
        exporterConfigs.stream()
            .filter(e -> e instanceof OtlpExporterConfig)
            .map(ExporterConfig::id)
            .toList();
    TelemetryConfig telemetry = TelemetryConfig.parse(service.section("telemetry"), otlp);
    service.done();
    AgentConfig config =
        new AgentConfig(
            name,
            receiver,
            batch,
            List.copyOf(exporterConfigs),
            health,
            Map.copyOf(storages),
            telemetry);
    // the same checks as start's, each problem placed at its key's line, one line each
    List<Problem> problems = config.validate();
    if (!problems.isEmpty()) {
      throw new ConfigException(
          String.join(
              "\n",
              problems.stream()
                  .map(
                      p -> {
                        ConfigNode at = top.find(p.key());
                        return (at.path().equals(p.key())
                                ? at.error(p.message())
                                : at.error(p.key().substring(prefix(at)) + ": " + p.message()))
                            .getMessage();
                      })
                  .toList()));
    }
    return config;
  }

  /** Where the part of a problem's key below the node found for it starts. */
  private static int prefix(ConfigNode at) {
    return at.path().isEmpty() ? 0 : at.path().length() + 1;
  }

  /** A component section: ids of the form type[/name], each type known. */
  private static Map<String, ConfigNode> components(
      Optional<ConfigNode> section, Set<String> types) {
    if (section.isEmpty()) {
      return Map.of();
    }
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (var e : section.get().mapping().entrySet()) {
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
}
