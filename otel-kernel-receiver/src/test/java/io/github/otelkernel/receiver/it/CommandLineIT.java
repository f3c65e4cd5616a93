package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator meets it: bad input gives one clear line and a non-zero exit. */
class CommandLineIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  record Result(int exit, String stdout, String stderr) {}

  Result run(String... args) throws Exception {
    Process p = AgentProcess.command(dir, args).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("agent did not exit: " + String.join(" ", args));
    }
    return new Result(
        p.exitValue(),
        Files.readString(dir.resolve("agent.stdout")),
        Files.readString(dir.resolve("agent.stderr")));
  }

  Path config(String yaml) throws Exception {
    Path f = dir.resolve("config-" + System.nanoTime() + ".yaml");
    Files.writeString(f, yaml);
    return f;
  }

  static void assertOneLineError(Result r, String... fragments) {
    List<String> lines = r.stderr().lines().toList();
    assertEquals(1, lines.size(), () -> "expected one line, got:\n" + r.stderr());
    assertTrue(lines.get(0).startsWith("error: "), lines.get(0));
    for (String f : fragments) {
      assertTrue(lines.get(0).contains(f), () -> "'" + f + "' not in: " + lines.get(0));
    }
  }

  @Test
  void validateAcceptsAGoodConfig() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    Result r = run("validate", "--config", cfg.toString());
    assertEquals(0, r.exit(), r.stderr());
    assertTrue(r.stdout().contains("valid"), r.stdout());
  }

  @Test
  void unknownKeyIsNamedWithItsLine() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters:
          file:
            path: out.jsonl
            rotate: true
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    Result r = run("validate", "--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, cfg + ":5:", "exporters.file", "unknown key 'rotate'");
  }

  @Test
  void malformedYamlIsOneLineWithItsLine() throws Exception {
    Path cfg = config("receivers: {ebpf: {}}\nexporters: [unclosed\nservice: {}\n");
    Result r = run("validate", "--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, cfg.toString(), "invalid YAML");
  }

  @Test
  void undefinedExporterIsRejected() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {console: {}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """);
    Result r = run("--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, ":3:", "'otlp' is not defined under top-level 'exporters'");
  }

  @Test
  void missingEnvironmentVariableIsNamed() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {otlp: {endpoint: "${env:OKR_TEST_SURELY_UNSET}"}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """);
    Result r = run("validate", "--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, ":2:", "exporters.otlp.endpoint", "OKR_TEST_SURELY_UNSET is not set");
  }

  @Test
  void aConfigFileOthersCanWriteIsRefusedWithTheFix() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    java.nio.file.Files.setPosixFilePermissions(
        cfg, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw-rw-"));
    Result r = run("validate", "--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, cfg.toString(), "writable by group or others", "chmod go-w " + cfg);
  }

  @Test
  void aPidNamespaceOfItsOwnIsRefusedInOneLine() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    List<String> cmd =
        new java.util.ArrayList<>(List.of("unshare", "--pid", "--fork", "--mount-proc"));
    cmd.addAll(AgentProcess.command(dir, "--config", cfg.toString()).command());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(p.exitValue() != 0, err);
    assertTrue(err.contains("pid namespace of its own") && err.contains("--pid=host"), err);
    assertEquals(1, err.lines().filter(l -> !l.isBlank()).count(), err);
  }

  @Test
  void missingConfigFileIsNamed() throws Exception {
    Result r = run("--config", dir.resolve("nope.yaml").toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, "nope.yaml", "not found");
  }

  @Test
  void unwritableFileExporterPathFailsBeforeLoadingProbes() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {file: {path: /nonexistent-dir/out.jsonl}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [file]}}}
        """);
    Result r = run("--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, "exporters.file.path", "/nonexistent-dir/out.jsonl");
    Result v = run("validate", "--config", cfg.toString());
    assertEquals(2, v.exit(), "validate refuses what start refuses");
    assertEquals(r.stderr(), v.stderr(), "in the same words");
  }

  @Test
  void plaintextOtlpToAnotherHostNeedsExplicitInsecure() throws Exception {
    Path cfg =
        config(
            """
        receivers: {ebpf: {}}
        exporters: {otlp: {endpoint: "http://192.0.2.10:4317"}}
        service: {pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}}
        """);
    Result r = run("--config", cfg.toString());
    assertEquals(2, r.exit());
    assertOneLineError(r, "exporters.otlp.endpoint", "tls.insecure: true");
    Result v = run("validate", "--config", cfg.toString());
    assertEquals(2, v.exit(), "validate refuses what start refuses");
    assertEquals(r.stderr(), v.stderr(), "in the same words");
  }

  @Test
  void unknownOptionPointsToHelp() throws Exception {
    Result r = run("--frobnicate");
    assertEquals(2, r.exit());
    assertOneLineError(r, "--frobnicate", "--help");
  }

  @Test
  void versionAndHelp() throws Exception {
    Result v = run("--version");
    assertEquals(0, v.exit());
    assertTrue(v.stdout().startsWith("otel-kernel-receiver "), v.stdout());
    Result h = run("--help");
    assertEquals(0, h.exit());
    assertTrue(
        h.stdout().contains("--config")
            && h.stdout().contains("validate")
            && h.stdout().contains("setup"),
        h.stdout());
  }

  // setup has its own jar (elastic-integration's SetupCommandIT runs it); the agent's only lists
  // it, and points there when reached

  @Test
  void setupInTheAgentsJarPointsToItsOwn() throws Exception {
    Result r = run("setup", "--elasticsearch", "http://127.0.0.1:1");
    assertEquals(2, r.exit(), r.stderr());
    assertEquals("", r.stdout());
    assertOneLineError(r, "bin/otel-kernel-receiver setup", "otel-kernel-setup.jar");
  }

  @Test
  void withoutRootTheAgentSaysSoAndExits() throws Exception {
    // the same jar run as the unprivileged user nobody
    Path jar = AgentProcess.JAR.toAbsolutePath();
    Process p =
        new ProcessBuilder(
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--bounding-set=-all",
                AgentProcess.javaBinary(),
                "--enable-native-access=ALL-UNNAMED",
                "-jar",
                jar.toString())
            .redirectOutput(dir.resolve("agent.stdout").toFile())
            .redirectError(dir.resolve("agent.stderr").toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("agent did not exit");
    }
    Result r = new Result(p.exitValue(), "", Files.readString(dir.resolve("agent.stderr")));
    assertEquals(1, r.exit(), r.stderr());
    assertOneLineError(r, "needs root", "sudo");
  }
}
