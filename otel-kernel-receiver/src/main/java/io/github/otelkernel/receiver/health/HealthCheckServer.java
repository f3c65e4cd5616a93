package io.github.otelkernel.receiver.health;

import com.sun.net.httpserver.HttpServer;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.HealthCheckConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;

/**
 * The Collector's health_check extension, same answers: 503 {"status":"Server not available"} until
 * the probes are attached, then 200 {"status":"Server available",...}; 503 again, with a reason,
 * while the agent's event loop is stalled.
 */
public final class HealthCheckServer implements AutoCloseable {
  private final HttpServer server;
  private volatile Instant readySince;

  /**
   * Why the agent is not doing its job although it started (a stalled event loop); null when fine.
   */
  private volatile String stalled;

  private HealthCheckServer(HttpServer server) {
    this.server = server;
  }

  public static HealthCheckServer start(HealthCheckConfig config) {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 16);
    } catch (IOException e) {
      throw new ConfigException(
          "extensions.health_check.endpoint: cannot listen on "
              + config.host()
              + ":"
              + config.port()
              + ": "
              + e.getMessage()
              + " (choose a free port)");
    }
    HealthCheckServer h = new HealthCheckServer(server);
    server.createContext(
        config.path(),
        exchange -> {
          Instant since = h.readySince;
          String body;
          int status;
          String why = h.stalled;
          if (since != null && why != null) {
            status = 503;
            body =
                "{\"status\":\"Server not available\",\"reason\":\""
                    + why.replace("\"", "'")
                    + "\"}";
          } else if (since != null) {
            status = 200;
            body =
                "{\"status\":\"Server available\",\"upSince\":\""
                    + since
                    + "\",\"uptime\":\""
                    + Duration.between(since, Instant.now()).toMillis() / 1000.0
                    + "s\"}";
          } else {
            status = 503;
            body = "{\"status\":\"Server not available\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/json");
          exchange.sendResponseHeaders(status, bytes.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
          }
        });
    server.setExecutor(
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "health-check");
              t.setDaemon(true);
              return t;
            }));
    server.start();
    return h;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /**
   * A reason to answer 503 although started (null: none); the reason is our own text, not a
   * process's.
   */
  public void setStalled(String reason) {
    stalled = reason;
  }

  public void setReady(boolean ready) {
    readySince = ready ? Instant.now() : null;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
