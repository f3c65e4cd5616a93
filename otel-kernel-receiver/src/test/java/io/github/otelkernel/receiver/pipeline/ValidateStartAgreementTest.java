package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ConfigLoader;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import io.github.otelkernel.receiver.export.ExporterFactory;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import io.github.otelkernel.receiver.it.TestPki;
import io.opentelemetry.api.metrics.MeterProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code validate} accepts, start can create; what start would refuse, {@code validate}
 * refuses first, with the same words. "validate" here is what the command runs (the loader, then
 * the builder's checks); "create" is the exporter factory that start calls, run for real against
 * temporary directories (exporters built and shut down, nothing sent). No root, no kernel.
 */
class ValidateStartAgreementTest {
  @TempDir Path dir;

  private AgentConfig load(String exporters, String extensions, String serviceExtensions) {
    String yaml =
        "receivers: {ebpf: {}}\n"
            + "exporters: {"
            + exporters
            + "}\n"
            + (extensions.isEmpty() ? "" : "extensions: {" + extensions + "}\n")
            + "service:\n"
            + (serviceExtensions.isEmpty() ? "" : "  extensions: [" + serviceExtensions + "]\n")
            + "  pipelines: {logs: {receivers: [ebpf], exporters: ["
            + String.join(", ", topKeys(exporters))
            + "]}}\n";
    return new ConfigLoader(Map.of("DIR", dir.toString())).parse("c.yaml", yaml);
  }

  /** The keys of a flow mapping's content at its outer level: the exporter ids. */
  private static List<String> topKeys(String flow) {
    List<String> keys = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < flow.length(); i++) {
      char ch = flow.charAt(i);
      if (ch == '{') {
        depth++;
      } else if (ch == '}') {
        depth--;
      } else if (ch == ':' && depth == 0 && start >= 0) {
        keys.add(flow.substring(start, i).strip());
        start = -1;
      } else if (ch == ',' && depth == 0) {
        start = i + 1;
      }
    }
    return keys;
  }

  /** The validate command: the loader's checks, then the builder's. */
  private String refusal(String exporters, String extensions, String serviceExtensions) {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> Agent.builder(load(exporters, extensions, serviceExtensions)).validate());
    return e.getMessage();
  }

  private static void accepted(AgentConfig c) {
    Agent.builder(c).validate();
  }

  /** What start does with each exporter once validated: create it, then stop it. */
  private static void create(AgentConfig c) {
    var out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    ExporterFactory f = new ExporterFactory(out, c.storages(), MeterProvider::noop);
    List<BuiltExporter> built = new ArrayList<>();
    try {
      for (ExporterConfig e : c.exporters()) {
        built.add(f.build(e));
        if (e instanceof OtlpExporterConfig o) {
          f.metricExporter(o).shutdown();
        }
      }
    } finally {
      built.forEach(b -> b.exporter().shutdown().join(5, java.util.concurrent.TimeUnit.SECONDS));
      f.channels().close();
    }
  }

  @Test
  void aFileExporterValidatedIsCreatedAndValidateCreatesNothing() throws Exception {
    Path out = dir.resolve("out.jsonl");
    AgentConfig c = load("file: {path: '${env:DIR}/out.jsonl'}", "", "");
    accepted(c);
    assertFalse(Files.exists(out), "validate opened nothing");
    create(c);
    assertTrue(Files.isRegularFile(out));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
  }

  @Test
  void fileExporterPathsStartWouldRefuseAreRefusedByValidate() throws Exception {
    assertTrue(
        refusal("file: {path: '${env:DIR}/missing/out.jsonl'}", "", "")
            .startsWith("c.yaml:2: exporters.file.path: cannot write"),
        "a missing directory");
    Files.createSymbolicLink(dir.resolve("link.jsonl"), Path.of("/etc/passwd"));
    assertEquals(
        "c.yaml:2: exporters.file.path: "
            + dir.resolve("link.jsonl")
            + " is a symlink; point it at a regular file",
        refusal("file: {path: '${env:DIR}/link.jsonl'}", "", ""));
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxr-x"));
    assertTrue(
        refusal("file: {path: '${env:DIR}/shared/out.jsonl'}", "", "")
            .contains("is writable by group or others"),
        "a directory others may write to");
    Files.createDirectory(dir.resolve("adir.jsonl"));
    assertTrue(
        refusal("file: {path: '${env:DIR}/adir.jsonl'}", "", "")
            .endsWith("is a directory; point it at a regular file"));
  }

  @Test
  void aSpoolValidatedIsCreatedAndOneStartWouldRefuseIsRefusedByValidate() throws Exception {
    String otlp =
        "otlp: {endpoint: 'localhost:4317', tls: {insecure: true},"
            + " sending_queue: {storage: file_storage}}";
    AgentConfig c = load(otlp, "file_storage: {directory: '${env:DIR}/spool/a'}", "file_storage");
    accepted(c);
    assertFalse(Files.exists(dir.resolve("spool")), "validate created nothing");
    create(c);
    assertTrue(Files.isDirectory(dir.resolve("spool/a/otlp")));

    Files.writeString(dir.resolve("file"), "x");
    assertEquals(
        "c.yaml:3: extensions.file_storage.directory: "
            + dir.resolve("file")
            + " exists and is not a directory",
        refusal(otlp, "file_storage: {directory: '${env:DIR}/file'}", "file_storage"));
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertTrue(
        refusal(otlp, "file_storage: {directory: '${env:DIR}/shared/spool'}", "file_storage")
            .contains("directory " + shared + " is writable by group or others"));
  }

  @Test
  void plaintextGoesOnlyToAHostSpelledAsLoopbackWithoutTlsInsecure() {
    for (String host :
        List.of("http://localhost:4317", "http://127.0.0.1:4317", "http://[::1]:4317")) {
      AgentConfig c = load("otlp: {endpoint: '" + host + "'}", "", "");
      accepted(c);
      create(c);
    }
    // by spelling only: a name that resolves to loopback now may not when the exporter connects
    for (String host :
        List.of(
            "http://192.0.2.10:4317",
            "http://127.0.0.1.example:4317",
            "http://localhost.evil.example:4317")) {
      String m = refusal("otlp: {endpoint: '" + host + "'}", "", "");
      assertTrue(
          m.startsWith("c.yaml:2: exporters.otlp.endpoint: " + host)
              && m.endsWith("use https:// or set tls.insecure: true to accept it"),
          m);
    }
    AgentConfig insecure =
        load("otlp: {endpoint: '192.0.2.10:4317', tls: {insecure: true}}", "", "");
    accepted(insecure);
    create(insecure);
  }

  @Test
  void tlsFilesThatDoNotParseAreRefusedByValidateNotFirstByStart() throws Exception {
    TestPki.create(dir);
    AgentConfig good =
        load(
            "otlp: {endpoint: 'localhost:4317', tls: {ca_file: '${env:DIR}/caA.pem',"
                + " cert_file: '${env:DIR}/client.pem', key_file: '${env:DIR}/client.key'}},"
                + " otlphttp: {endpoint: 'https://localhost:4318', tls: {ca_file: '${env:DIR}/caA.pem'}}",
            "",
            "");
    accepted(good);
    create(good);

    Path bad = Files.writeString(dir.resolve("bad.pem"), "not a certificate\n");
    Files.setPosixFilePermissions(bad, PosixFilePermissions.fromString("rw-------"));
    String exporter = "otlp: {endpoint: 'localhost:4317', tls: {ca_file: '${env:DIR}/bad.pem'}}";
    String m = refusal(exporter, "", "");
    assertTrue(m.startsWith("exporters.otlp.tls: ") && m.contains("must be PEM"), m);
    // and start, which runs the same check, says the same before it loads anything
    ConfigException e =
        assertThrows(ConfigException.class, () -> Agent.builder(load(exporter, "", "")).build());
    assertEquals(m, e.getMessage());
  }
}
