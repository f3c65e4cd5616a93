package io.github.otelkernel.elastic;

import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;

/** Failures of the cluster or the network as the one line an operator reads. */
final class ClusterErrors {
  private ClusterErrors() {}

  /** The cluster answered with an error status to a plain REST call. */
  static SetupException refused(String address, String call, Response response) {
    int status = response.getStatusCode();
    String reason;
    try (InputStream in = response.getEntity().getContent()) {
      reason = reason(JsonResources.JSON.readTree(in).path("error"));
    } catch (IOException | RuntimeException unreadable) {
      reason = "(no readable error body)";
    }
    return SetupException.cluster(describe(address, status, call, reason));
  }

  /** The cluster refused a request of the typed client. */
  static SetupException refused(String address, String call, ElasticsearchException e) {
    String reason = e.error().type() + ": " + e.error().reason();
    return SetupException.cluster(describe(address, e.status(), call, reason));
  }

  /**
   * No answer at all: refused connection, unknown host, TLS failure, timeout. The root cause says
   * it best.
   */
  static SetupException unreachable(String address, IOException e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    String what =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return SetupException.cluster(
        "cannot reach Elasticsearch at " + address + ": " + oneLine(what));
  }

  private static String describe(String address, int status, String call, String reason) {
    String hint =
        switch (status) {
          case 401 -> " (check --api-key, or --username and --password)";
          case 403 ->
              " (the user lacks a privilege setup needs: see elastic-integration/README.md)";
          default -> "";
        };
    return "Elasticsearch at "
        + address
        + " answered "
        + status
        + " to "
        + call
        + ": "
        + oneLine(reason)
        + hint;
  }

  /** {@code {"type":…,"reason":…}}, or the bare string some endpoints answer with. */
  private static String reason(JsonNode error) {
    if (error.isTextual()) {
      return error.asText();
    }
    String type = error.path("type").asText("error");
    String reason = error.path("reason").asText("");
    JsonNode cause = error.path("caused_by");
    if (!cause.isMissingNode() && cause.has("reason")) {
      reason += " (" + cause.path("type").asText() + ": " + cause.path("reason").asText() + ")";
    }
    return type + ": " + reason;
  }

  private static String oneLine(String s) {
    return s.replaceAll("\\s+", " ").trim();
  }
}
