package io.github.otelkernel.elastic;

import co.elastic.clients.transport.rest5_client.low_level.Request;
import co.elastic.clients.transport.rest5_client.low_level.Response;
import co.elastic.clients.transport.rest5_client.low_level.ResponseException;
import co.elastic.clients.transport.rest5_client.low_level.Rest5Client;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;

/**
 * Finds out, before anything is installed, whether setup can work with a cluster and what it can
 * do. Uses plain REST calls (the client's low-level half) rather than typed ones: a missing feature
 * shows as an endpoint with no handler, a plain 400, 404 or 405 that is a result here, not an
 * error; and plain JSON headers get an answer even from clusters too old for the 9.x client's
 * compatibility headers, so they can be refused with their version in the message.
 */
final class ClusterProbe {
  /**
   * The oldest major version setup accepts: the 9.x Java client only speaks to 9.x clusters (8.x
   * refuses its {@code compatible-with=9} headers). 9.0 also has everything the templates rely on:
   * passthrough objects, data stream lifecycle, {@code require_data_stream} for the exporter.
   */
  static final int MINIMUM_MAJOR = 9;

  private final Rest5Client rest;
  private final String address;

  ClusterProbe(Rest5Client rest, String address) {
    this.rest = rest;
    this.address = address;
  }

  ClusterFeatures detect() throws SetupException {
    String version = oldestNodeVersion();
    requireSupported(version, address);
    Set<String> missing = new TreeSet<>();
    for (String type : TemplateFactory.optionalFieldTypes()) {
      if (!acceptsFieldType(type)) {
        missing.add(type);
      }
    }
    return new ClusterFeatures(
        version,
        license(),
        answers("/_ilm/status"),
        answers("/_lifecycle/stats"),
        answers("/_security/_authenticate"),
        missing);
  }

  /** Refuses versions the client cannot talk to, in one line. */
  static void requireSupported(String version, String address) throws SetupException {
    int major;
    try {
      major = Integer.parseInt(version.substring(0, version.indexOf('.')));
    } catch (RuntimeException e) {
      throw SetupException.cluster(
          "Elasticsearch at " + address + " reports an unreadable version '" + version + "'");
    }
    if (major < MINIMUM_MAJOR) {
      throw SetupException.cluster(
          "Elasticsearch "
              + version
              + " at "
              + address
              + " is too old: setup needs "
              + MINIMUM_MAJOR
              + ".0 or later");
    }
  }

  /**
   * Every node must take the templates, so the oldest one counts (during a rolling upgrade they
   * differ).
   */
  private String oldestNodeVersion() throws SetupException {
    Request request = new Request("GET", "/_nodes");
    request.addParameter("filter_path", "nodes.*.version");
    Response response = perform(request);
    if (!"Elasticsearch".equals(response.getHeader("X-Elastic-Product"))) {
      throw SetupException.cluster(
          address + " does not answer as Elasticsearch (no X-Elastic-Product header)");
    }
    String oldest = null;
    for (JsonNode node : json(response).path("nodes")) {
      String v = node.path("version").asText();
      if (oldest == null || compareVersions(v, oldest) < 0) {
        oldest = v;
      }
    }
    if (oldest == null) {
      throw SetupException.cluster("Elasticsearch at " + address + " lists no nodes");
    }
    return oldest;
  }

  private String license() throws SetupException {
    JsonNode license = json(perform(new Request("GET", "/_license"))).path("license");
    return "active".equals(license.path("status").asText())
        ? license.path("type").asText()
        : "expired";
  }

  /**
   * A GET endpoint is there: 2xx. No handler for it (400, 404, 405) means the feature is absent.
   */
  private boolean answers(String endpoint) throws SetupException {
    return perform(new Request("GET", endpoint), 400, 404, 405) != null;
  }

  /** The cluster can map a field of this type: it accepts a simulated template with one. */
  private boolean acceptsFieldType(String type) throws SetupException {
    ObjectNode body = JsonResources.JSON.createObjectNode();
    body.putArray("index_patterns").add("ksec-setup-probe-*");
    body.putObject("template")
        .putObject("mappings")
        .putObject("properties")
        .putObject("probe")
        .put("type", type);
    Request request = new Request("POST", "/_index_template/_simulate");
    request.setJsonEntity(body.toString());
    return perform(request, 400) != null;
  }

  /**
   * The response; null when its status is one of {@code absentStatuses}; any other failure as one
   * line. (The low-level client returns 4xx answers as responses and throws only for 5xx.)
   */
  private Response perform(Request request, int... absentStatuses) throws SetupException {
    Response response;
    try {
      response = rest.performRequest(request);
    } catch (ResponseException e) {
      response = e.getResponse();
    } catch (IOException e) {
      throw ClusterErrors.unreachable(address, e);
    }
    int status = response.getStatusCode();
    if (status >= 200 && status < 300) {
      return response;
    }
    if (java.util.Arrays.stream(absentStatuses).anyMatch(absent -> absent == status)) {
      return null;
    }
    throw ClusterErrors.refused(
        address, request.getMethod() + " " + request.getEndpoint(), response);
  }

  private JsonNode json(Response response) throws SetupException {
    try (InputStream in = response.getEntity().getContent()) {
      return JsonResources.JSON.readTree(in);
    } catch (IOException e) {
      throw ClusterErrors.unreachable(address, e);
    }
  }

  static int compareVersions(String a, String b) {
    String[] x = a.split("[.-]");
    String[] y = b.split("[.-]");
    for (int i = 0; i < 3; i++) {
      int c = Integer.compare(number(x, i), number(y, i));
      if (c != 0) {
        return c;
      }
    }
    return 0;
  }

  private static int number(String[] parts, int i) {
    try {
      return i < parts.length ? Integer.parseInt(parts[i]) : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
