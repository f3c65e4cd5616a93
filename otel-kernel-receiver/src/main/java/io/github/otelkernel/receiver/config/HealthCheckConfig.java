package io.github.otelkernel.receiver.config;

import java.util.List;

/** extensions.health_check: the Collector's endpoint and path keys. */
public record HealthCheckConfig(String host, int port, String path) {
  public static final String DEFAULT_ENDPOINT = "localhost:13133";
  public static final String DEFAULT_PATH = "/";

  static HealthCheckConfig parse(ConfigNode.Section s) {
    var node = s.get("endpoint");
    String endpoint = node.map(ConfigNode::asString).orElse(DEFAULT_ENDPOINT);
    String path = s.string("path", DEFAULT_PATH);
    s.done();
    int colon = endpoint.lastIndexOf(':');
    int port = -1;
    try {
      port = colon < 0 ? -1 : Integer.parseInt(endpoint.substring(colon + 1));
    } catch (NumberFormatException e) {
      // reported below
    }
    if (port < 0 || port > 65535) {
      throw node.orElseThrow()
          .error("expected host:port with a port 0-65535, got '" + endpoint + "'");
    }
    String host = endpoint.substring(0, colon).replaceAll("^\\[|]$", "");
    return new HealthCheckConfig(host.isEmpty() ? "0.0.0.0" : host, port, path);
  }

  public void validate(String at, List<Problem> out) {
    if (port < 0 || port > 65535) {
      out.add(new Problem(at + ".endpoint", "port " + port + " is not in 0-65535"));
    }
    if (!path.startsWith("/")) {
      out.add(new Problem(at + ".path", "'" + path + "' does not start with /"));
    }
  }
}
