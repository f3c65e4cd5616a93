package io.github.otelkernel.receiver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.probe.MapLayout;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private final ConfigLoader loader =
      new ConfigLoader(Map.of("OTLP_HOST", "collector.example:4317", "TOKEN", "s3cret"));

  private ConfigException error(String yaml) {
    return assertThrows(ConfigException.class, () -> loader.parse("c.yaml", yaml));
  }

  @Test
  void minimalConfigFromTheIssue() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    assertEquals(16, c.receiver().ringBufferSizeMib());
    assertEquals(new FileExporterConfig("file", Path.of("out.jsonl")), c.exporters().get(0));
    assertTrue(c.healthCheck().isEmpty());
  }

  @Test
  void aRedactionPatternRe2CannotRunIsRefusedByName() {
    var e =
        error(
            """
        receivers:
          ebpf:
            policy:
              redaction:
                patterns:
                  - {name: lookahead, regex: 'key=(?!file)(?<secret>\\S+)'}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    assertTrue(e.getMessage().startsWith("c.yaml:6: "), e.getMessage());
    assertTrue(
        e.getMessage().contains("redaction pattern 'lookahead' is not a valid RE2 expression"),
        e.getMessage());
    assertEquals(1, e.getMessage().lines().count());
  }

  @Test
  void defaultConfigPrintsToTheConsole() {
    AgentConfig c = loader.loadDefault();
    assertEquals(1, c.exporters().size());
    assertTrue(c.exporters().get(0) instanceof ConsoleExporterConfig);
  }

  @Test
  void fullConfigWithEnvExpansionNamedComponentsAndHealthCheck() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers:
          ebpf: {ring_buffer_size_mib: 64}
        processors:
          batch: {timeout: 1s500ms, send_batch_size: 100}
        exporters:
          otlp/primary:
            endpoint: ${env:OTLP_HOST}
            headers: {authorization: "ApiKey ${env:TOKEN}", x-price: "$$5"}
            compression: none
            timeout: 3s
            sending_queue: {queue_size: 1000}
          console: {}
        extensions:
          health_check: {endpoint: "127.0.0.1:0"}
        service:
          extensions: [health_check]
          pipelines:
            logs: {receivers: [ebpf], processors: [batch], exporters: [otlp/primary, console]}
        """);
    assertEquals(64, c.receiver().ringBufferSizeMib());
    assertEquals(Duration.ofMillis(1500), c.batch().timeout());
    assertEquals(100, c.batch().sendBatchSize());
    OtlpExporterConfig o = (OtlpExporterConfig) c.exporters().get(0);
    assertEquals("otlp/primary", o.id());
    assertEquals("collector.example:4317", o.endpoint());
    assertEquals(Map.of("authorization", "ApiKey s3cret", "x-price", "$5"), o.headers());
    assertEquals("none", o.compression());
    assertEquals(Duration.ofSeconds(3), o.timeout());
    assertEquals(1000, o.queue().queueSize());
    assertEquals("127.0.0.1", c.healthCheck().orElseThrow().host());
  }

  @Test
  void retryQueueAndSpoolUseCollectorKeys() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers: {ebpf: {}}
        exporters:
          otlphttp:
            endpoint: http://127.0.0.1:4318
            retry_on_failure: {initial_interval: 1s, max_interval: 4s, max_elapsed_time: 0s}
            sending_queue: {queue_size: 10, storage: file_storage/spool, low_priority_events: [process.fork]}
        extensions:
          file_storage/spool: {directory: /var/lib/okr, max_size_mib: 64}
        service:
          extensions: [file_storage/spool]
          telemetry: {metrics: {level: none}}
          pipelines: {logs: {receivers: [ebpf], exporters: [otlphttp]}}
        """);
    OtlpExporterConfig o = (OtlpExporterConfig) c.exporters().get(0);
    assertTrue(o.http());
    assertEquals(Duration.ofSeconds(1), o.retry().initialInterval());
    assertTrue(o.retry().maxElapsed().isZero());
    assertEquals("file_storage/spool", o.queue().storage().orElseThrow());
    assertEquals(java.util.Set.of("process.fork"), o.queue().lowPriorityEvents());
    assertEquals(64, c.storages().get("file_storage/spool").maxSizeMib());
    assertTrue(!c.telemetry().enabled());
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters:
          otlp: {endpoint: "h:1", sending_queue: {storage: file_storage}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """)
            .getMessage()
            .contains(
                "'file_storage' is not a file_storage extension listed in service.extensions"));
  }

  @Test
  void theRecordOfTamperingWithTheAgentCannotBeSwitchedOff() {
    String m =
        error(
                """
        receivers: {ebpf: {policy: {events: {kernel.bpf_tamper: {enabled: false}}}}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage();
    assertTrue(
        m.startsWith("c.yaml:1: ") && m.contains("kernel.bpf_tamper cannot be turned off"), m);
  }

  @Test
  void credentialsInAnEndpointAreRefusedWithoutEchoingThem() {
    for (String endpoint : List.of("https://u:s3cret@collector:4317", "u:s3cret@collector:4317")) {
      String m =
          error(
                  """
          receivers: {ebpf: {}}
          exporters: {otlp: {endpoint: "%s"}}
          service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
          """
                      .formatted(endpoint))
              .getMessage();
      assertTrue(m.startsWith("c.yaml:2: exporters.otlp.endpoint: credentials in the endpoint"), m);
      assertTrue(m.contains("exporters.otlp.headers") && !m.contains("s3cret"), m);
    }
  }

  @Test
  void aConfigFileOthersCanWriteIsRefused(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path cfg =
        java.nio.file.Files.writeString(
            dir.resolve("agent.yaml"),
            """
        receivers: {ebpf: {}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """);
    loader.load(cfg); // 0644, root's: fine
    java.nio.file.Files.setPosixFilePermissions(
        cfg, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    String m = assertThrows(ConfigException.class, () -> loader.load(cfg)).getMessage();
    assertEquals(cfg + " is writable by group or others (rw-rw-rw-): run chmod go-w " + cfg, m);
    java.nio.file.Files.setPosixFilePermissions(
        cfg, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
    java.nio.file.Files.setAttribute(cfg, "unix:uid", 65534);
    m = assertThrows(ConfigException.class, () -> loader.load(cfg)).getMessage();
    assertEquals(cfg + " belongs to uid 65534, not root: run chown root " + cfg, m);
  }

  @Test
  void envDefaultIsUsedWhenUnset() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: "${env:NOPE:-/tmp/x.jsonl}"}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    assertEquals(Path.of("/tmp/x.jsonl"), ((FileExporterConfig) c.exporters().get(0)).path());
  }

  @Test
  void theDataStreamNamespaceIsReadAndOneElasticsearchWouldRefuseIsNamed() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers: {ebpf: {data_stream: {namespace: prod.eu}}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """);
    assertEquals("prod.eu", c.receiver().dataStreamNamespace());
    assertEquals(
        "default",
        loader
            .parse(
                "c.yaml",
                """
        receivers: {ebpf: {}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .receiver()
            .dataStreamNamespace());
    assertEquals(
        "c.yaml:1: receivers.ebpf.data_stream.namespace: 'Prod EU' has upper-case letters (data"
            + " stream names are lowercase): Elasticsearch would refuse the data stream (use e.g."
            + " default, prod)",
        error(
                """
        receivers: {ebpf: {data_stream: {namespace: Prod EU}}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage());
    assertTrue(
        error(
                """
        receivers: {ebpf: {data_stream: {name: x}}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage()
            .contains("receivers.ebpf.data_stream: unknown key 'name' (allowed: namespace)"));
  }

  @Test
  void errorsNameFileLineAndKey() {
    assertEquals(
        "c.yaml:3: receivers.ebpf: unknown key 'ring_buffer' (allowed: data_stream, health_interval, policy, ring_buffer_size_mib, state_directory)",
        error(
                """
        receivers:
          ebpf:
            ring_buffer: 8
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage());
    assertEquals(
        "c.yaml:1: receivers.ebpf.ring_buffer_size_mib: 12 is not a power of two (the kernel requires"
            + " one): use 8, 16, 32, 64…",
        error(
                """
        receivers: {ebpf: {ring_buffer_size_mib: 12}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage());
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        processors: {batch: {timeout: soon}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], processors: [batch], exporters: [console]}}}
        """)
            .getMessage()
            .startsWith("c.yaml:2: processors.batch.timeout: expected a duration"));
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters: {kafka: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [kafka]}}}
        """)
            .getMessage()
            .contains("unknown component type 'kafka'"));
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters: {console: {}}
        """)
            .getMessage()
            .contains("missing required key 'service'"));
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters:
          otlp: {endpoint: "h:1", tls: {cert_file: /etc/hostname}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """)
            .getMessage()
            .contains("cert_file and key_file go together"));
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters:
          otlp: {endpoint: "h:1", tls: {ca_file: /nonexistent/ca.pem}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """)
            .getMessage()
            .startsWith("c.yaml:3: exporters.otlp.tls.ca_file: cannot read /nonexistent/ca.pem"));
    assertTrue(error("").getMessage().contains("the config is empty"));
    assertTrue(error("a: [").getMessage().startsWith("c.yaml:"));
    assertTrue(
        error(
                """
        receivers: {ebpf: {}}
        exporters: {console: {}, console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage()
            .contains("appears twice"));
  }

  @Test
  void everyProblemTheChecksFindIsOneLineAtItsOwnKey() {
    assertEquals(
        "c.yaml:1: receivers.ebpf.ring_buffer_size_mib: 12 is not a power of two (the kernel"
            + " requires one): use 8, 16, 32, 64…\n"
            + "c.yaml:4: exporters.otlp.compression: expected gzip or none, got 'zstd'\n"
            + "c.yaml:5: exporters.otlp/b.endpoint: http://192.0.2.1:4317 sends security events"
            + " unencrypted to another host: use https:// or set tls.insecure: true to accept it",
        error(
                """
        receivers: {ebpf: {ring_buffer_size_mib: 12}}
        exporters:
          otlp:
            {endpoint: 'localhost:4317', compression: zstd}
          otlp/b: {endpoint: 'http://192.0.2.1:4317'}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp, otlp/b]}}}
        """)
            .getMessage());
  }

  @Test
  void capabilityAndPrctlNamesTheKernelDoesNotKnowAreRefusedAtTheirLine() {
    String m =
        error(
                """
        receivers:
          ebpf:
            policy: {capabilities: [cap_sys_admin, CAP_FLY]}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage();
    assertEquals(
        "c.yaml:3: receivers.ebpf.policy.capabilities.1: unknown capability 'CAP_FLY' (write it as"
            + " in capabilities(7): CAP_SYS_ADMIN)",
        m);
    m =
        error(
                """
        receivers:
          ebpf:
            policy: {prctl_options: [pr_set_dumpable, PR_NOPE]}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [console]}}}
        """)
            .getMessage();
    assertTrue(
        m.startsWith(
            "c.yaml:3: receivers.ebpf.policy.prctl_options.1: unknown or unsupported prctl option"
                + " 'PR_NOPE'; supported: "),
        m);
  }

  @Test
  void fileRotationKeysAreTheCollectorOnes() {
    AgentConfig c =
        loader.parse(
            "c.yaml",
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl, rotation: {max_megabytes: 10, max_backups: 2}}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    assertEquals(new FileExporterConfig("file", Path.of("out.jsonl"), 10, 2), c.exporters().get(0));
    var e =
        error(
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl, rotation: {max_megabytes: 0}}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    assertTrue(
        e.getMessage().startsWith("c.yaml:2: exporters.file.rotation.max_megabytes"),
        e.getMessage());
  }

  @Test
  void aPrefixMayTakeAllTheBytesTheKernelCompares() {
    String full =
        "/" + "p".repeat(MapLayout.PATH_PREFIX_MAX - 1); // no terminator in the kernel's key
    String yaml =
        """
        receivers: {ebpf: {policy: {events: {file.open: {exclude: ['%s']}}}}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """;
    AgentConfig c = loader.parse("c.yaml", yaml.formatted(full));
    assertEquals(
        List.of(full), c.receiver().policy().events().get("file.open").exclude().orElseThrow());
    var e = error(yaml.formatted(full + "p"));
    assertTrue(
        e.getMessage().contains("prefix longer than " + MapLayout.PATH_PREFIX_MAX + " bytes"),
        e.getMessage());
  }

  @Test
  void environmentVariableNamesMustFitTheKernelsKeyAndAreKeptOnceEach() {
    String yaml =
        """
        receivers: {ebpf: {policy: {env_vars: [%s]}}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """;
    String longest = "V".repeat(MapLayout.ENV_KEY_SIZE);
    AgentConfig c =
        loader.parse("c.yaml", yaml.formatted("LD_PRELOAD, http_proxy, LD_PRELOAD, " + longest));
    assertEquals(
        List.of("LD_PRELOAD", "http_proxy", longest),
        c.receiver().policy().envVars().orElseThrow());
    assertEquals(
        "c.yaml:1: receivers.ebpf.policy.env_vars.1: environment variable name '"
            + longest
            + "V' must be 1 to 32 printable ASCII characters without '=' or spaces (as in"
            + " LD_PRELOAD)",
        error(yaml.formatted("LD_PRELOAD, " + longest + "V")).getMessage());
    assertTrue(
        error(yaml.formatted("'A=B'")).getMessage().contains("env_vars.0: environment variable"));
    String many =
        String.join(
            ", ",
            java.util.stream.IntStream.rangeClosed(0, MapLayout.ENV_NAMES_MAX)
                .mapToObj(i -> "V" + i)
                .toList());
    assertTrue(
        error(yaml.formatted(many)).getMessage().contains("the kernel holds at most 64"),
        error(yaml.formatted(many)).getMessage());
  }
}
