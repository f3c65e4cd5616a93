package io.github.otelkernel.receiver.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.HealthCheckConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HealthCheckServerTest {
  @Test
  void answers503UntilReadyThen200() throws Exception {
    try (HealthCheckServer h =
        HealthCheckServer.start(new HealthCheckConfig("127.0.0.1", 0, "/"))) {
      HttpClient http = HttpClient.newHttpClient();
      var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + "/")).build();
      var before = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(503, before.statusCode());
      assertEquals("{\"status\":\"Server not available\"}", before.body());
      h.setReady(true);
      var after = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, after.statusCode());
      assertTrue(after.body().startsWith("{\"status\":\"Server available\""), after.body());
    }
  }

  @Test
  void portInUseIsAClearError() {
    try (HealthCheckServer h =
        HealthCheckServer.start(new HealthCheckConfig("127.0.0.1", 0, "/"))) {
      var e =
          assertThrows(
              ConfigException.class,
              () -> HealthCheckServer.start(new HealthCheckConfig("127.0.0.1", h.port(), "/")));
      assertTrue(
          e.getMessage().startsWith("extensions.health_check.endpoint: cannot listen on"),
          e.getMessage());
    }
  }

  @Test
  void aStalledEventLoopAnswers503WithTheReason() throws Exception {
    try (HealthCheckServer h =
        HealthCheckServer.start(new HealthCheckConfig("127.0.0.1", 0, "/"))) {
      HttpClient http = HttpClient.newHttpClient();
      var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port() + "/")).build();
      h.setReady(true);
      h.setStalled("the event loop has made no progress for 7 s");
      var stalled = http.send(req, HttpResponse.BodyHandlers.ofString());
      assertEquals(503, stalled.statusCode());
      assertTrue(stalled.body().contains("no progress for 7 s"), stalled.body());
      h.setStalled(null);
      assertEquals(200, http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode());
    }
  }
}
