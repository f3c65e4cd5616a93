package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** exporters.otlp (gRPC) and exporters.otlphttp (HTTP/protobuf). */
public record OtlpExporterConfig(
    String id,
    boolean http,
    String endpoint,
    TlsConfig tls,
    Map<String, String> headers,
    String compression,
    Duration timeout,
    RetryPolicy retry,
    QueueConfig queue)
    implements ExporterConfig {
  public static final String DEFAULT_COMPRESSION = "gzip";
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
  private static final Set<String> COMPRESSIONS = Set.of("gzip", "none");

  static OtlpExporterConfig parse(String id, boolean http, ConfigNode.Section s) {
    String endpoint = s.required("endpoint").asString();
    ConfigNode.Section tls = s.section("tls");
    ConfigNode.Section queue = s.section("sending_queue");
    var c =
        new OtlpExporterConfig(
            id,
            http,
            endpoint,
            TlsConfig.parse(tls),
            s.get("headers").map(ConfigNode::asStringMap).orElse(Map.of()),
            s.string("compression", DEFAULT_COMPRESSION),
            s.duration("timeout", DEFAULT_TIMEOUT),
            retry(s.section("retry_on_failure")),
            QueueConfig.parse(queue));
    s.done();
    return c;
  }

  private static RetryPolicy retry(ConfigNode.Section r) {
    RetryPolicy d = RetryPolicy.DEFAULT;
    boolean enabled = r.bool("enabled", d.enabled());
    Duration initial = r.duration("initial_interval", d.initialInterval());
    Duration max = r.duration("max_interval", d.maxInterval());
    Duration elapsed = r.duration("max_elapsed_time", d.maxElapsed());
    r.done();
    // RetryPolicy refuses these too, but with no line to name
    RetryPolicy.problem(initial, max, elapsed)
        .ifPresent(
            p -> {
              throw r.error(p);
            });
    return new RetryPolicy(enabled, initial, max, elapsed);
  }

  /**
   * The endpoint as a URI, with the Collector's meaning: no scheme is TLS unless tls.insecure is
   * set.
   *
   * @throws IllegalArgumentException when it is no host:port or http(s)://host[:port][/path]
   */
  public URI uri() {
    String e = endpoint;
    if (!e.contains("://")) {
      e = (tls.insecure() ? "http://" : "https://") + e;
    }
    URI uri = URI.create(e);
    if (uri.getHost() == null
        || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
        || (uri.getPort() == -1 && !e.matches("https?://[^/]+$"))) {
      throw new IllegalArgumentException("expected host:port, got '" + endpoint + "'");
    }
    return uri;
  }

  /** Sent unencrypted to a host that may not be this one (allowed only with tls.insecure). */
  public boolean plaintextToRemote() {
    URI uri = uri();
    return uri.getScheme().equals("http") && !isLoopback(uri.getHost());
  }

  /**
   * Loopback by its spelling alone, never by a lookup: a name resolved now may resolve elsewhere
   * when the exporter connects, so only "localhost" and loopback address literals count.
   */
  static boolean isLoopback(String host) {
    String h =
        host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    try {
      return InetAddress.ofLiteral(h).isLoopbackAddress();
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  @Override
  public void validate(String at, List<Problem> out) {
    validate(at, Set.of(), out);
  }

  /** storages: the ids of the file_storage extensions the service lists. */
  public void validate(String at, Set<String> storages, List<Problem> out) {
    String key = at + ".endpoint";
    if (endpoint.isBlank() || endpoint.contains(" ")) {
      out.add(new Problem(key, "expected host:port or https://host:port, got '" + endpoint + "'"));
    } else if (endpoint.matches("(?s)([A-Za-z][A-Za-z0-9+.-]*://)?[^/]*@.*")) {
      // not echoed: the value holds the credentials
      out.add(
          new Problem(
              key,
              "credentials in the endpoint (user:password@host) would be logged and sent on every"
                  + " request: remove them and set an authorization header in "
                  + at
                  + ".headers instead"));
    } else {
      try {
        if (plaintextToRemote() && !tls.insecure()) {
          out.add(
              new Problem(
                  key,
                  uri()
                      + " sends security events unencrypted to another host: use https:// or set"
                      + " tls.insecure: true to accept it"));
        }
      } catch (IllegalArgumentException e) {
        out.add(new Problem(key, "expected host:port, got '" + endpoint + "'"));
      }
    }
    tls.validate(at + ".tls", out);
    if (!COMPRESSIONS.contains(compression)) {
      out.add(new Problem(at + ".compression", "expected gzip or none, got '" + compression + "'"));
    }
    if (timeout.isNegative() || timeout.isZero()) {
      out.add(new Problem(at + ".timeout", timeout + " must be positive"));
    }
    queue.validate(at + ".sending_queue", storages, out);
  }
}
