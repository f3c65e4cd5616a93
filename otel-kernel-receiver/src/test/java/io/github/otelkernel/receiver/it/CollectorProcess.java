package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real OpenTelemetry Collector built from collector/manifest.yaml (bin/test builds it and
 * passes its path), run on loopback ports with a config from src/test/resources/collector/.
 */
final class CollectorProcess implements AutoCloseable {
  final Path dir;
  int grpcPort;
  int httpPort;
  int healthPort;
  private final String configResource;
  private final Map<String, String> extraEnv;
  private Process process;
  private int run;

  CollectorProcess(Path dir, String configResource, Map<String, String> extraEnv)
      throws IOException {
    this.dir = dir;
    this.configResource = configResource;
    this.extraEnv = extraEnv;
    this.grpcPort = AgentProcess.freePort();
    this.httpPort = AgentProcess.freePort();
    this.healthPort = AgentProcess.freePort();
  }

  /** Listen where another (stopped) Collector did, as a restarted one would. */
  CollectorProcess onPorts(CollectorProcess other) {
    grpcPort = other.grpcPort;
    httpPort = other.httpPort;
    healthPort = other.healthPort;
    return this;
  }

  static Path binary() {
    String path = System.getProperty("otelcol.binary", "");
    if (path.isBlank() || path.startsWith("${")) {
      fail(
          "no Collector binary: run the tests with bin/test, which builds it from collector/manifest.yaml"
              + " (or pass -Dotelcol.binary=PATH)");
    }
    Path p = Path.of(path);
    if (!Files.isExecutable(p)) {
      fail("Collector binary " + p + " is missing: rebuild it with collector/build.sh");
    }
    return p;
  }

  CollectorProcess start() throws Exception {
    Path config = dir.resolve(Path.of(configResource).getFileName().toString());
    if (configResource.startsWith(
        "/")) { // a file of the repository (collector/gateway.yaml): used as shipped
      Files.copy(
          Path.of(configResource), config, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } else {
      try (InputStream in =
          CollectorProcess.class.getResourceAsStream("/collector/" + configResource)) {
        Files.write(config, in.readAllBytes());
      }
    }
    ProcessBuilder pb =
        new ProcessBuilder(binary().toString(), "--config", config.toString())
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("collector.log").toFile()))
            .redirectErrorStream(true);
    pb.environment()
        .putAll(
            Map.of(
                "OTLP_GRPC_PORT", String.valueOf(grpcPort),
                "OTLP_HTTP_PORT", String.valueOf(httpPort),
                "HEALTH_PORT", String.valueOf(healthPort),
                "OUT_DIR", Files.createDirectories(dir.resolve("run-" + (++run))).toString(),
                "OTELCOL_OTLP_ENDPOINT", "127.0.0.1:" + grpcPort,
                "OTELCOL_HEALTH_ENDPOINT", "127.0.0.1:" + healthPort));
    pb.environment().putAll(extraEnv);
    process = pb.start();
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 600; i++) {
      if (!process.isAlive()) {
        fail("collector exited with " + process.exitValue() + ": " + log());
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return this;
        }
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(100);
    }
    fail("collector not healthy after 60 s: " + log());
    return this;
  }

  /** SIGTERM: the Collector shuts down gracefully, flushing its file exporters. */
  void stop() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  String log() throws IOException {
    Path log = dir.resolve("collector.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }

  /** Everything the Collector wrote, over all its runs. */
  List<ExportedLog> logs() throws IOException {
    List<ExportedLog> all = new java.util.ArrayList<>();
    for (int i = 1; i <= run; i++) {
      all.addAll(ExportedLog.readOtlpJsonLines(dir.resolve("run-" + i).resolve("logs.jsonl")));
    }
    return all;
  }

  String metricsText() throws IOException {
    StringBuilder sb = new StringBuilder();
    for (int i = 1; i <= run; i++) {
      Path f = dir.resolve("run-" + i).resolve("metrics.jsonl");
      if (Files.exists(f)) {
        sb.append(Files.readString(f));
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
