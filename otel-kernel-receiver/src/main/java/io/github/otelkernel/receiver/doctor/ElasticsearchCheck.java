package io.github.otelkernel.receiver.doctor;

import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.export.EndpointProbe;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether {@code setup} has been run against a cluster: its index template is there. One GET with
 * the JDK's HTTP client; the agent carries no Elasticsearch client (setup has its own jar).
 */
final class ElasticsearchCheck {
  static final String TEMPLATE = "logs-ksec";
  private static final Pattern VERSION = Pattern.compile("\"version\"\\s*:\\s*(\\d+)");

  /**
   * @param apiKey the base64 id:key form, or empty
   * @param password with {@code username}, basic authentication
   */
  record Credentials(
      Optional<String> apiKey, Optional<String> username, Optional<String> password) {
    static Credentials read(
        Optional<Path> apiKeyFile, Optional<String> username, Optional<Path> passwordFile) {
      Optional<String> key =
          apiKeyFile.map(ElasticsearchCheck::firstLine).or(() -> env("ELASTICSEARCH_API_KEY"));
      Optional<String> password =
          passwordFile.map(ElasticsearchCheck::firstLine).or(() -> env("ELASTICSEARCH_PASSWORD"));
      return new Credentials(key, username, password);
    }

    private static Optional<String> env(String name) {
      return Optional.ofNullable(System.getenv(name)).filter(v -> !v.isBlank());
    }
  }

  private ElasticsearchCheck() {}

  static Check run(URI cluster, Credentials credentials, Optional<Path> caFile, Duration timeout) {
    String name = "elasticsearch";
    HttpClient client;
    try {
      client =
          HttpClient.newBuilder()
              .connectTimeout(timeout)
              .sslContext(EndpointProbe.trusting("--ca-file", caFile))
              .build();
    } catch (ConfigException e) {
      return Check.fail(name, e.getMessage());
    }
    URI uri = cluster.resolve("/_index_template/" + TEMPLATE);
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
    credentials.apiKey().ifPresent(k -> request.header("Authorization", "ApiKey " + k));
    if (credentials.apiKey().isEmpty() && credentials.username().isPresent()) {
      String pair = credentials.username().get() + ":" + credentials.password().orElse("");
      request.header(
          "Authorization",
          "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response;
    try (client) {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return Check.warn(
          name,
          "cannot reach "
              + cluster
              + " ("
              + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
              + "): check the URL, and --ca-file for https");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Check.warn(name, "interrupted");
    }
    return switch (response.statusCode()) {
      case 200 ->
          Check.ok(
              name,
              "setup has been run: index template "
                  + TEMPLATE
                  + VERSION
                      .matcher(response.body())
                      .results()
                      .findFirst()
                      .map(m -> " version " + m.group(1))
                      .orElse("")
                  + " at "
                  + cluster);
      case 404 ->
          Check.warn(
              name,
              "setup has not been run against "
                  + cluster
                  + " (no index template "
                  + TEMPLATE
                  + "): run 'otel-kernel-receiver setup --elasticsearch "
                  + cluster
                  + "' from a checkout");
      case 401, 403 ->
          Check.warn(
              name,
              cluster
                  + " refused the credentials (HTTP "
                  + response.statusCode()
                  + "): give --api-key-file or --username with --password-file, with the"
                  + " monitor or manage_index_templates privilege");
      default ->
          Check.warn(
              name,
              cluster + " answered HTTP " + response.statusCode() + " to GET " + uri.getPath());
    };
  }

  private static String firstLine(Path file) {
    try {
      return Files.readAllLines(file).stream().findFirst().orElse("").strip();
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage());
    }
  }
}
