package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged agent ({@code otel-kernel-receiver.jar}) run as a separate process, as an operator
 * runs it: started with a config, ready when its health check answers 200, stopped with SIGTERM.
 */
final class AgentProcess implements AutoCloseable {
  static final Path JAR =
      Path.of(System.getProperty("agent.jar", "target/otel-kernel-receiver.jar"));

  final Path dir;
  final Path output;
  final Path stdout;
  final Path stderr;
  final int healthPort;
  private final Process process;

  long pid() {
    return process.pid();
  }

  private AgentProcess(Path dir, Path output, int healthPort, Process process) {
    this.dir = dir;
    this.output = output;
    this.stdout = dir.resolve("agent.stdout");
    this.stderr = dir.resolve("agent.stderr");
    this.healthPort = healthPort;
    this.process = process;
  }

  /**
   * Starts an agent exporting to an OTLP/JSON file (and to the console when asked) and waits until
   * it is attached.
   */
  static AgentProcess start(Path dir, boolean console) throws Exception {
    return startWith(
        dir, console ? "console: {}" : "", "", console ? List.of("console") : List.of(), List.of());
  }

  /**
   * Starts an agent with the given exporters/extensions YAML (file exporter to events.jsonl is
   * added).
   */
  static AgentProcess startWith(
      Path dir,
      String exportersYaml,
      String extraExtensionsYaml,
      List<String> exporterIds,
      List<String> extensionIds)
      throws Exception {
    return startWith(dir, "{}", exportersYaml, extraExtensionsYaml, exporterIds, extensionIds);
  }

  /** Starts an agent whose ebpf receiver has this policy (YAML of receivers.ebpf.policy). */
  static AgentProcess startWithPolicy(Path dir, String policyYaml) throws Exception {
    return startWith(dir, "\n    policy:\n" + policyYaml.indent(6), "", "", List.of(), List.of());
  }

  private static AgentProcess startWith(
      Path dir,
      String receiverYaml,
      String exportersYaml,
      String extraExtensionsYaml,
      List<String> exporterIds,
      List<String> extensionIds)
      throws Exception {
    return startWith(
        dir,
        receiverYaml,
        exportersYaml,
        extraExtensionsYaml,
        exporterIds,
        extensionIds,
        "batch: {timeout: 100ms}");
  }

  /**
   * The general form: the ebpf receiver's YAML, exporters, extensions, and the batch processor's
   * YAML.
   */
  static AgentProcess startWith(
      Path dir,
      String receiverYaml,
      String exportersYaml,
      String extraExtensionsYaml,
      List<String> exporterIds,
      List<String> extensionIds,
      String batchYaml)
      throws Exception {
    return startWith(
        dir,
        receiverYaml,
        exportersYaml,
        extraExtensionsYaml,
        exporterIds,
        extensionIds,
        batchYaml,
        List.of());
  }

  /** As above, the JVM started with these options (launcherJvmOptions() for the shipped ones). */
  static AgentProcess startWith(
      Path dir,
      String receiverYaml,
      String exportersYaml,
      String extraExtensionsYaml,
      List<String> exporterIds,
      List<String> extensionIds,
      String batchYaml,
      List<String> jvmOptions)
      throws Exception {
    int port = freePort();
    Path output = dir.resolve("events.jsonl");
    if (!receiverYaml.contains("state_directory")) {
      // each test's own: one test's killed agent is not the next one's unclean previous run
      String state = "state_directory: " + dir.resolve("state");
      receiverYaml =
          receiverYaml.strip().equals("{}") ? "{" + state + "}" : receiverYaml + "\n    " + state;
    }
    String config =
        """
        receivers:
          ebpf: %s
        processors:
          %s
        exporters:
          file: {path: %s}
        %s
        extensions:
          health_check: {endpoint: "127.0.0.1:%d"}
        %s
        service:
          extensions: [%s]
          telemetry: {metrics: {interval: 1s}}
          pipelines:
            logs:
              receivers: [ebpf]
              processors: [batch]
              exporters: [%s]
        """
            .formatted(
                receiverYaml,
                batchYaml,
                output,
                exportersYaml.indent(2),
                port,
                extraExtensionsYaml.indent(2),
                String.join(", ", concat(List.of("health_check"), extensionIds)),
                String.join(", ", concat(List.of("file"), exporterIds)));
    Path cfg = dir.resolve("agent.yaml");
    Files.writeString(cfg, config);
    Process p = command(dir, jvmOptions, "--config", cfg.toString()).start();
    AgentProcess agent = new AgentProcess(dir, output, port, p);
    agent.awaitHealthy();
    return agent;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out;
  }

  /** A command line running the agent jar, output to files in dir. */
  static ProcessBuilder command(Path dir, String... args) {
    return command(dir, List.of(), args);
  }

  static ProcessBuilder command(Path dir, List<String> jvmOptions, String... args) {
    List<String> cmd = new ArrayList<>(List.of(javaBinary()));
    cmd.addAll(jvmOptions);
    cmd.addAll(
        List.of("--enable-native-access=ALL-UNNAMED", "-jar", JAR.toAbsolutePath().toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectOutput(dir.resolve("agent.stdout").toFile())
            .redirectError(dir.resolve("agent.stderr").toFile());
    if (!jvmOptions.isEmpty()) {
      pb.environment().put("MALLOC_ARENA_MAX", "2"); // as bin/otel-kernel-receiver sets it
    }
    return pb;
  }

  /** The JVM options the launcher runs the agent with (bin/jvm.options). */
  static List<String> launcherJvmOptions() throws IOException {
    Path file = Path.of(System.getProperty("jvm.options", "../bin/jvm.options"));
    return Files.readAllLines(file).stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  static String javaBinary() {
    return ProcessHandle.current().info().command().orElse("java");
  }

  private void awaitHealthy() throws Exception {
    awaitHealthy(process, healthPort, stderr);
  }

  /**
   * Waits until the agent's health endpoint answers 200; fails with its log if it exits or takes 60
   * s.
   */
  static void awaitHealthy(Process process, int healthPort, Path stderr) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail(
            "agent exited with " + process.exitValue() + " before it was healthy: " + read(stderr));
      }
      try {
        var r =
            http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    fail("agent did not become healthy within 60 s: " + read(stderr));
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }

  /** SIGTERM, as systemd or Ctrl-C would; returns the exit code after the agent flushed. */
  int stop() throws Exception {
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      fail("agent did not stop within 60 s of SIGTERM: " + stderrText());
    }
    String log = stderrText();
    if (log.contains("reading kernel events failed") || log.contains("Exception in thread")) {
      fail("the agent's stop was not clean: " + log);
    }
    return process.exitValue();
  }

  String stderrText() throws IOException {
    return Files.exists(stderr) ? Files.readString(stderr, StandardCharsets.UTF_8) : "";
  }

  String stdoutText() throws IOException {
    return Files.exists(stdout) ? Files.readString(stdout, StandardCharsets.UTF_8) : "";
  }

  /**
   * Everything the file exporter wrote, oldest first: the rotated backups (path.N … path.1), then
   * path.
   */
  List<ExportedLog> records() throws IOException {
    List<ExportedLog> out = new ArrayList<>();
    for (int i = 64; i >= 1; i--) {
      out.addAll(
          ExportedLog.readOtlpJsonLines(output.resolveSibling(output.getFileName() + "." + i)));
    }
    out.addAll(ExportedLog.readOtlpJsonLines(output));
    return out;
  }

  /** The value of key=N in the agent's final summary line. */
  long summaryCount(String key) throws IOException {
    return summaryCount(key, null);
  }

  /** The value of key=N in the summary's section for one exporter ("| otlp: exported=…"). */
  long summaryCount(String key, String exporter) throws IOException {
    for (String full : stderrText().lines().toList()) {
      if (full.contains("stopped: ")) {
        String line = full;
        if (exporter != null) {
          int at = full.indexOf("| " + exporter + ": ");
          if (at < 0) {
            throw new AssertionError("no exporter " + exporter + " in the summary: " + full);
          }
          int end = full.indexOf(" | ", at + 2);
          line = full.substring(at, end < 0 ? full.length() : end);
        }
        var m =
            java.util.regex.Pattern.compile("\\b" + java.util.regex.Pattern.quote(key) + "=(\\d+)")
                .matcher(line);
        if (m.find()) {
          return Long.parseLong(m.group(1));
        }
      }
    }
    throw new AssertionError("no '" + key + "' in the agent's summary: " + stderrText());
  }

  /** SIGKILL: no flush, no summary, as the OOM killer or a power cut would end it. */
  void kill() throws Exception {
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws Exception {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT =
      new java.util.concurrent.atomic.AtomicInteger(
          20_000 + (int) (ProcessHandle.current().pid() % 500) * 20);

  /**
   * A free loopback port below the kernel's ephemeral range (32768+), so that an outgoing
   * connection cannot take it between the test choosing it and a server binding it later.
   */
  static int freePort() throws IOException {
    for (int i = 0; i < 2000; i++) {
      int port = NEXT_PORT.getAndIncrement();
      if (port >= 32_000) {
        NEXT_PORT.set(20_000);
        continue;
      }
      try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException inUse) {
        // next
      }
    }
    throw new IOException("no free port in 20000-32000");
  }

  /** Runs a command to completion and returns its pid. */
  static long run(Path cwd, String... cmd) throws Exception {
    Process p =
        new ProcessBuilder(cmd)
            .directory(cwd.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      fail("command did not finish: " + String.join(" ", cmd));
    }
    return p.pid();
  }
}
