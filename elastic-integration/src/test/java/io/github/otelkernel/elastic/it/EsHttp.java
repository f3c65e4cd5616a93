package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Plain HTTP to the test cluster, as one user, for the tests' own checks: independent of the client
 * the code under test uses.
 */
public record EsHttp(URI url, String user, String password) {
  public static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  public record Reply(int status, JsonNode body) {}

  public Reply send(String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(url.resolve(path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .header(
                "Content-Type",
                path.contains("_bulk") ? "application/x-ndjson" : "application/json");
    if (user != null) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    JsonNode json = r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    return new Reply(r.statusCode(), json);
  }

  /** The answer of a request that must succeed. */
  public JsonNode ok(String method, String path, String body)
      throws IOException, InterruptedException {
    Reply r = send(method, path, body);
    if (r.status() / 100 != 2) {
      fail(
          method
              + " "
              + path
              + " as "
              + (user == null ? "anonymous" : user)
              + " answered "
              + r.status()
              + ": "
              + r.body());
    }
    return r.body();
  }

  public JsonNode get(String path) throws IOException, InterruptedException {
    return ok("GET", path, null);
  }

  /**
   * Bulk-creates documents in a data stream the way the Collector's exporter does, visible at once.
   */
  void bulkCreate(String dataStream, String... documents) throws IOException, InterruptedException {
    ObjectNode action = JSON.createObjectNode();
    action.putObject("create").put("_index", dataStream);
    StringBuilder ndjson = new StringBuilder();
    for (String doc : documents) {
      ndjson.append(action).append('\n').append(JSON.readTree(doc)).append('\n');
    }
    JsonNode r = ok("POST", "/_bulk?require_data_stream=true&refresh=true", ndjson.toString());
    if (r.path("errors").asBoolean()) {
      fail("bulk create into " + dataStream + " failed: " + r);
    }
  }
}
