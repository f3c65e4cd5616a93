package io.github.otelkernel.elastic;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.otelkernel.elastic.kibana.Dashboard;
import io.github.otelkernel.elastic.kibana.Dashboards;
import io.github.otelkernel.elastic.kibana.SavedObjects;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.net.ssl.SSLException;

/**
 * Imports the dashboards into Kibana through its saved objects import API ({@code POST
 * <kibana>/api/saved_objects/_import?overwrite=true}, multipart/form-data with the NDJSON as the
 * part {@code file}, header {@code kbn-xsrf}). The NDJSON is the jar's {@code kibana/*.ndjson} (the
 * repository's {@code dashboards/}), sent as one file with the shared data view once. Kibana
 * answers 200 even when some objects fail; each failure becomes one line.
 */
public final class KibanaImport {
  static final String IMPORT_PATH = "/api/saved_objects/_import";
  static final String IMPORT_QUERY = "overwrite=true";
  static final String FILE_NAME = "otel-kernel-receiver-dashboards.ndjson";

  /** What Kibana did: the report lines, and one line per object it refused. */
  public record Result(SetupReport report, List<String> errors) {}

  private final URI kibana;
  private final String authorization;
  private final HttpClient http;

  /**
   * @param kibana Kibana's base URL, with its base path or space ({@code https://host/s/security})
   *     if any
   * @param authorization the {@code Authorization} header value, or null
   * @param caFile PEM certificates to trust for https instead of the JDK's, or null
   */
  public KibanaImport(URI kibana, String authorization, Path caFile) throws SetupException {
    this.kibana = kibana;
    this.authorization = authorization;
    this.http = client(caFile);
  }

  /** An HTTP client for Kibana: a 10 s connect timeout, and caFile's certificates when given. */
  static HttpClient client(Path caFile) throws SetupException {
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
    if (caFile != null) {
      builder.sslContext(ElasticConnection.trusting(caFile));
    }
    return builder.build();
  }

  /** The dashboards' saved objects as one NDJSON file: each object once, in file order. */
  public static String bundledNdjson() {
    Map<String, String> lines = new LinkedHashMap<>();
    for (Dashboard dashboard : Dashboards.all()) {
      String name = "/kibana/" + SavedObjects.fileName(dashboard);
      try (InputStream in = KibanaImport.class.getResourceAsStream(name)) {
        if (in == null) {
          throw new IllegalStateException("resource " + name + " is missing from the jar");
        }
        for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
          JsonNode object = JsonResources.JSON.readTree(line);
          lines.putIfAbsent(object.get("type").asText() + "/" + object.get("id").asText(), line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return String.join("\n", lines.values()) + "\n";
  }

  public Result run() throws SetupException {
    return run(bundledNdjson());
  }

  Result run(String ndjson) throws SetupException {
    String call = "POST " + IMPORT_PATH;
    String boundary = "ksec-" + UUID.randomUUID();
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint())
            .timeout(Duration.ofSeconds(120))
            .header("kbn-xsrf", "true")
            .header("Accept", "application/json")
            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
            .POST(
                HttpRequest.BodyPublishers.ofString(
                    multipart(boundary, ndjson), StandardCharsets.UTF_8));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response;
    try {
      response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SetupException.cluster("interrupted while importing into Kibana at " + kibana);
    }
    JsonNode body;
    try {
      body = JsonResources.JSON.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    if (response.statusCode() != 200) {
      throw refused(call, response.statusCode(), body);
    }
    if (body == null || !body.has("success")) {
      throw SetupException.cluster(
          "Kibana at "
              + kibana
              + " answered "
              + call
              + " with something that is not Kibana's JSON"
              + " (is --kibana Kibana's URL, with its base path if it has one?)");
    }
    return result(body, ndjson);
  }

  private URI endpoint() {
    String base = kibana.toString().replaceAll("/+$", "");
    return URI.create(base + IMPORT_PATH + "?" + IMPORT_QUERY);
  }

  static String multipart(String boundary, String ndjson) {
    return "--"
        + boundary
        + "\r\n"
        + "Content-Disposition: form-data; name=\"file\"; filename=\""
        + FILE_NAME
        + "\"\r\n"
        + "Content-Type: application/ndjson\r\n"
        + "\r\n"
        + ndjson
        + "\r\n"
        + "--"
        + boundary
        + "--\r\n";
  }

  /** The import's answer: {@code success}, {@code successCount}, {@code errors[]}. */
  private Result result(JsonNode body, String ndjson) throws SetupException {
    SetupReport report = new SetupReport();
    Map<String, Integer> sent = new LinkedHashMap<>();
    for (String line : ndjson.split("\n")) {
      try {
        sent.merge(JsonResources.JSON.readTree(line).path("type").asText(), 1, Integer::sum);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    List<String> errors = new ArrayList<>();
    Set<String> failedTypes = new LinkedHashSet<>();
    for (JsonNode error : body.path("errors")) {
      errors.add(describe(error));
      failedTypes.add(error.path("type").asText());
    }
    int imported = body.path("successCount").asInt(0);
    String what =
        sent.getOrDefault("dashboard", 0)
            + " dashboards, "
            + sent.getOrDefault("lens", 0)
            + " Lens panels, "
            + sent.getOrDefault("visualization", 0)
            + " guides, data view "
            + Dashboards.INDEX_PATTERN;
    if (errors.isEmpty() && body.path("success").asBoolean()) {
      report.installed(
          "Kibana saved objects at " + kibana,
          what + " (" + imported + " objects, overwritten if present)");
    } else {
      report.skipped(
          "Kibana saved objects at " + kibana,
          imported
              + " of "
              + sent.values().stream().mapToInt(i -> i).sum()
              + " objects imported; "
              + errors.size()
              + " refused ("
              + String.join(", ", failedTypes)
              + ")");
    }
    return new Result(report, errors);
  }

  /**
   * One refused object: {@code lens ksec-… "title": missing_references (index-pattern ksec-logs)}.
   */
  static String describe(JsonNode error) {
    String title = error.path("title").asText(error.at("/meta/title").asText(""));
    String type = error.at("/error/type").asText("unknown");
    String detail =
        switch (type) {
          case "missing_references" -> {
            List<String> missing = new ArrayList<>();
            error
                .at("/error/references")
                .forEach(r -> missing.add(r.path("type").asText() + " " + r.path("id").asText()));
            yield "missing_references (" + String.join(", ", missing) + ")";
          }
          case "unsupported_type" ->
              "unsupported_type (this Kibana does not know the type "
                  + error.path("type").asText()
                  + ")";
          case "conflict", "ambiguous_conflict" ->
              type + " (an object with this id exists and was not overwritten)";
          default ->
              type
                  + (error.at("/error/message").isTextual()
                      ? ": " + error.at("/error/message").asText()
                      : "");
        };
    return "Kibana did not import "
        + error.path("type").asText()
        + " "
        + error.path("id").asText()
        + (title.isEmpty() ? "" : " \"" + title + "\"")
        + ": "
        + oneLine(detail);
  }

  private SetupException refused(String call, int status, JsonNode body) {
    return refused(
        kibana,
        call,
        status,
        body,
        " (the user needs all privileges on Dashboard, Visualize Library and Data View"
            + " Management in this space, or Saved Objects Management)");
  }

  /**
   * One line for an answer other than the one expected, with the fix where the status names one.
   */
  static SetupException refused(
      URI kibana, String call, int status, JsonNode body, String forbiddenHint) {
    String message =
        body == null
            ? "(no readable error body)"
            : body.path("error").asText("")
                + (body.has("message") ? ": " + body.get("message").asText() : "");
    String hint =
        switch (status) {
          case 401 ->
              " (check --api-key, or --username and --password: Kibana takes the same users and API keys as Elasticsearch)";
          case 403 -> forbiddenHint;
          case 404 ->
              " (is --kibana Kibana's URL? a Kibana behind a proxy path needs that path in --kibana, e.g. https://host/kibana)";
          case 413 -> " (raise savedObjects.maxImportPayloadBytes in kibana.yml)";
          default -> "";
        };
    return SetupException.cluster(
        "Kibana at "
            + kibana
            + " answered "
            + status
            + " to "
            + call
            + ": "
            + oneLine(message)
            + hint);
  }

  private SetupException unreachable(IOException e) {
    return unreachable(kibana, e);
  }

  static SetupException unreachable(URI kibana, IOException e) {
    // the JDK client's ConnectException often has no message, nor has its cause
    // (ClosedChannelException)
    Throwable cause = e;
    String what = null;
    boolean connect = false;
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      cause = t;
      connect |= t instanceof ConnectException;
      if (what == null && t.getMessage() != null && !t.getMessage().isBlank()) {
        what = t.getMessage();
      }
    }
    if (what == null) {
      what = connect ? "connection refused" : cause.getClass().getSimpleName();
    }
    String hint = "";
    if (e instanceof HttpConnectTimeoutException) {
      what = "connect timed out";
      hint = " (check --kibana and that this host reaches Kibana's port, 5601 by default)";
    } else if (e instanceof HttpTimeoutException) {
      what = "no answer within 120 s";
    } else if (connect) {
      hint = " (check --kibana: is Kibana running there? its port is 5601 by default)";
    } else if (e instanceof SSLException
        || cause instanceof SSLException
        || cause instanceof java.security.cert.CertificateException) {
      hint = " (give Kibana's CA with --ca-file, or use its http URL if it serves no TLS)";
    }
    return SetupException.cluster("cannot reach Kibana at " + kibana + ": " + oneLine(what) + hint);
  }

  static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
