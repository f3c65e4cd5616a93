package io.github.otelkernel.elastic.it;

import static io.github.otelkernel.elastic.it.Setups.DATA_STREAM;
import static io.github.otelkernel.elastic.it.Setups.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.semconv.KsecDataStreams;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real pipeline's last two hops: an OTLP/JSON request shaped like the agent's output goes into
 * the real Collector (collector/manifest.yaml's build, elasticsearch exporter in mapping mode otel,
 * writing as a ksec_collector_writer user), which must land it in logs-ksec.process.otel-default
 * exactly as the test documents the other tests index by hand, with our mapping.
 */
class CollectorToElasticsearchIT {
  static ElasticsearchServer es;
  static Process collector;
  static Path dir;
  static int otlpPort;

  @BeforeAll
  static void setUp() throws Exception {
    Path binary = collectorBinary();
    es = ElasticsearchServer.secured();
    Setups.run(es);
    ObjectNode writer = EsHttp.JSON.createObjectNode().put("password", "ksec-collector-password");
    writer.putArray("roles").add("ksec_collector_writer");
    es.http().ok("PUT", "/_security/user/collector", writer.toString());

    dir = Files.createDirectories(Path.of("target", "collector").toAbsolutePath());
    Path config = dir.resolve("otlp-to-elasticsearch.yaml");
    try (InputStream in =
        CollectorToElasticsearchIT.class.getResourceAsStream(
            "/collector/otlp-to-elasticsearch.yaml")) {
      Files.write(config, in.readAllBytes());
    }
    otlpPort = ElasticsearchServer.freePort();
    int healthPort = ElasticsearchServer.freePort();
    ProcessBuilder pb =
        new ProcessBuilder(binary.toString(), "--config", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("collector.log").toFile());
    pb.environment()
        .putAll(
            Map.of(
                "OTLP_HTTP_PORT", String.valueOf(otlpPort),
                "HEALTH_PORT", String.valueOf(healthPort),
                "ES_URL", es.url.toString(),
                "ES_USER", "collector",
                "ES_PASSWORD", "ksec-collector-password"));
    collector = pb.start();
    awaitHealthy(healthPort);
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (collector != null && collector.isAlive()) {
      collector.destroy();
      if (!collector.waitFor(30, TimeUnit.SECONDS)) {
        collector.destroyForcibly();
      }
    }
  }

  @Test
  void anAgentRecordLandsInItsDataStreamAsTheTestDocumentsHaveIt() throws Exception {
    // what the other tests index by hand, made unique so this record is found among theirs
    ObjectNode expected = (ObjectNode) EsHttp.JSON.readTree(document("process-exec"));
    String entityId = UUID.randomUUID().toString();
    ((ObjectNode) expected.path("attributes")).put("ksec.process.entity_id", entityId);

    HttpResponse<String> accepted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpPort + "/v1/logs"))
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            exportLogsServiceRequest(expected).toString()))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, accepted.statusCode(), accepted.body());

    JsonNode hit = awaitDocument(entityId);
    assertEquals(
        ".ds-" + DATA_STREAM,
        hit.path("_index").asText().replaceFirst("-\\d{4}\\.\\d{2}\\.\\d{2}-\\d+$", ""));
    assertEquals(
        expected,
        hit.path("_source"),
        "the exporter's document (left) vs the hand-made test document");

    JsonNode fields =
        es.http()
            .get(
                "/"
                    + DATA_STREAM
                    + "/_mapping/field/"
                    + "attributes.process.pid,attributes.process.creation.time,attributes.process.command_line,@timestamp")
            .elements()
            .next()
            .path("mappings");
    assertEquals(
        "long",
        fields.at("/attributes.process.pid/mapping/process.pid/type").asText(),
        fields.toString());
    assertEquals(
        "date",
        fields.at("/attributes.process.creation.time/mapping/process.creation.time/type").asText());
    assertEquals(
        "keyword",
        fields.at("/attributes.process.command_line/mapping/process.command_line/type").asText());
    assertEquals(
        "text",
        fields
            .at("/attributes.process.command_line/mapping/process.command_line/fields/text/type")
            .asText());
    assertEquals("date", fields.at("/@timestamp/mapping/@timestamp/type").asText());
  }

  /**
   * The OTLP/JSON request the agent would send for the record the test document describes: its
   * attributes as typed OTLP values, the resource, and the scope with its data_stream.dataset.
   */
  static ObjectNode exportLogsServiceRequest(JsonNode doc) {
    ObjectNode record =
        EsHttp.JSON
            .createObjectNode()
            .put("timeUnixNano", nanos(doc.path("@timestamp").asText()))
            .put("observedTimeUnixNano", nanos(doc.path("observed_timestamp").asText()))
            .put("severityNumber", doc.path("severity_number").asInt())
            .put("eventName", doc.path("event_name").asText());
    record.putObject("body").put("stringValue", doc.at("/body/text").asText());
    record.set("attributes", keyValues(doc.path("attributes")));

    // as the agent sends it: the scope of its kind of record names its domain's stream and carries
    // its ECS categorization
    ObjectNode scope = EsHttp.JSON.createObjectNode().put("name", doc.at("/scope/name").asText());
    ArrayNode scopeAttributes = keyValues(doc.at("/scope/attributes"));
    scopeAttributes
        .addObject()
        .put("key", KsecDataStreams.DATASET.getKey())
        .putObject("value")
        .put("stringValue", KsecDataStreams.dataset(doc.path("event_name").asText()));
    scope.set("attributes", scopeAttributes);
    ObjectNode scopeLogs = EsHttp.JSON.createObjectNode().set("scope", scope);
    scopeLogs.putArray("logRecords").add(record);

    ObjectNode resourceLogs = EsHttp.JSON.createObjectNode();
    ArrayNode resource = keyValues(doc.at("/resource/attributes"));
    resource
        .addObject()
        .put("key", KsecDataStreams.NAMESPACE.getKey())
        .putObject("value")
        .put("stringValue", KsecDataStreams.DEFAULT_NAMESPACE);
    resourceLogs.putObject("resource").set("attributes", resource);
    resourceLogs.putArray("scopeLogs").add(scopeLogs);
    ObjectNode request = EsHttp.JSON.createObjectNode();
    request.putArray("resourceLogs").add(resourceLogs);
    return request;
  }

  private static ArrayNode keyValues(JsonNode attributes) {
    ArrayNode out = EsHttp.JSON.createArrayNode();
    attributes
        .properties()
        .forEach(e -> out.addObject().put("key", e.getKey()).set("value", anyValue(e.getValue())));
    return out;
  }

  private static ObjectNode anyValue(JsonNode v) {
    ObjectNode value = EsHttp.JSON.createObjectNode();
    if (v.isArray()) {
      ArrayNode values = value.putObject("arrayValue").putArray("values");
      v.forEach(item -> values.add(anyValue(item)));
    } else if (v.isBoolean()) {
      value.put("boolValue", v.asBoolean());
    } else if (v.isIntegralNumber()) {
      value.put("intValue", v.asText()); // int64 travels as a string in OTLP/JSON
    } else {
      value.put("stringValue", v.asText());
    }
    return value;
  }

  /** The exporter's "milliseconds.nanoseconds" back to epoch nanoseconds. */
  private static String nanos(String msecDotNsec) {
    String[] parts = msecDotNsec.split("\\.");
    return new BigDecimal(parts[0])
        .multiply(BigDecimal.valueOf(1_000_000))
        .add(new BigDecimal(parts[1]))
        .toPlainString();
  }

  private static JsonNode awaitDocument(String entityId) throws Exception {
    ObjectNode query = EsHttp.JSON.createObjectNode();
    query.putObject("query").putObject("term").put("ksec.process.entity_id", entityId);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      EsHttp.Reply r = es.http().send("POST", "/" + DATA_STREAM + "/_search", query.toString());
      if (r.status() == 200 && r.body().at("/hits/total/value").asInt() == 1) {
        return r.body().at("/hits/hits/0");
      }
      if (!collector.isAlive()) {
        fail("the Collector exited:\n" + log());
      }
      Thread.sleep(250);
    }
    fail("the record did not reach " + DATA_STREAM + " within 60 s; Collector log:\n" + log());
    return null;
  }

  private static void awaitHealthy(int healthPort) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    for (int i = 0; i < 300; i++) {
      if (!collector.isAlive()) {
        fail("the Collector exited with " + collector.exitValue() + ":\n" + log());
      }
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + healthPort + "/"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    fail("the Collector is not healthy after 30 s:\n" + log());
  }

  /**
   * The otelcol-kernel binary that collector/build.sh builds: the build passes it from
   * -Dotelcol.binary or $OTELCOL_BINARY. Missing is a failure, never a skip.
   */
  static Path collectorBinary() {
    String path = System.getProperty("otelcol.binary", "");
    if (path.isBlank() || path.startsWith("${")) {
      fail(
          "no Collector binary: set OTELCOL_BINARY (or -Dotelcol.binary) to the otelcol-kernel that"
              + " collector/build.sh builds and prints; bin/test does it");
    }
    Path binary = Path.of(path);
    if (!Files.isExecutable(binary)) {
      fail(
          "Collector binary "
              + binary
              + " (otelcol.binary) is missing or not executable: rebuild it with collector/build.sh");
    }
    return binary;
  }

  private static String log() throws IOException {
    Path log = dir.resolve("collector.log");
    return Files.exists(log) ? Files.readString(log) : "";
  }
}
