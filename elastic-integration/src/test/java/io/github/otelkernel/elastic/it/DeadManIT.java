package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.elastic.DeadMan;
import io.github.otelkernel.elastic.SetupReport.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dead-man query against a real cluster: setup installs the templates, agent.health documents
 * shaped as the Collector writes them (mapping mode otel) land in logs-ksec.* with timestamps
 * relative to now, and the shipped search body, read from the jar as setup's users get it, names
 * the silent hosts:
 *
 * <ul>
 *   <li>{@code fresh}: last record 20 s ago: not named;
 *   <li>{@code silent}: last record 6 min ago (3 intervals are 3 min): named;
 *   <li>{@code busy}: recent process.exec records, but its health records stopped 10 min ago: named
 *       (only health records count: an agent whose events still flow but whose health loop died is
 *       as unobserved);
 *   <li>{@code gone}: last record 8 days ago, beyond the 7-day lookback: no longer named.
 * </ul>
 */
class DeadManIT {
  static final String HEALTH_STREAM = "logs-ksec.deadman.otel-default";

  /** Only the fresh host: the body itself, sent to this one data stream, must name nobody. */
  static final String FRESH_ONLY_STREAM = "logs-ksec.deadman.otel-freshonly";

  static ElasticsearchServer es;
  static Instant now;

  @BeforeAll
  static void setUp() throws Exception {
    es = ElasticsearchServer.open();
    assertTrue(
        Setups.run(es).entries().stream()
            .anyMatch(
                e -> e.kind() == Kind.INSTALLED && e.subject().equals("index template logs-ksec")));
    now = Instant.now();
    List<String> docs = new ArrayList<>();
    for (int minutesAgo : new int[] {30, 10, 5}) {
      docs.add(health("fresh", now.minus(Duration.ofMinutes(minutesAgo)), HEALTH_STREAM));
    }
    docs.add(health("fresh", now.minusSeconds(20), HEALTH_STREAM));
    for (int minutesAgo : new int[] {30, 20, 10, 6}) {
      docs.add(health("silent", now.minus(Duration.ofMinutes(minutesAgo)), HEALTH_STREAM));
    }
    docs.add(health("busy", now.minus(Duration.ofMinutes(10)), HEALTH_STREAM));
    docs.add(event("busy", now.minusSeconds(10)));
    docs.add(health("gone", now.minus(Duration.ofDays(8)), HEALTH_STREAM));
    es.http().bulkCreate(HEALTH_STREAM, docs.toArray(String[]::new));
    es.http()
        .bulkCreate(
            FRESH_ONLY_STREAM,
            health("fresh-only", now.minusSeconds(40), FRESH_ONLY_STREAM),
            health("fresh-only", now.minus(Duration.ofMinutes(10)), FRESH_ONLY_STREAM));
  }

  /** An agent.health record of src/test/resources/documents/, for this host, at this time. */
  static String health(String host, Instant at, String dataStream) throws IOException {
    return shaped("agent-health", host, at, dataStream);
  }

  static String event(String host, Instant at) throws IOException {
    return shaped("process-exec", host, at, HEALTH_STREAM);
  }

  private static String shaped(String document, String host, Instant at, String dataStream)
      throws IOException {
    ObjectNode doc = (ObjectNode) EsHttp.JSON.readTree(Setups.document(document));
    // the exporter's timestamp form: epoch milliseconds with a fraction, as a string
    String millis = at.toEpochMilli() + ".000000";
    doc.put("@timestamp", millis).put("observed_timestamp", millis);
    ((ObjectNode) doc.at("/resource/attributes")).put("host.name", host);
    String[] stream = dataStream.split("-", 3); // logs-<dataset>-<namespace>
    ((ObjectNode) doc.path("data_stream")).put("dataset", stream[1]).put("namespace", stream[2]);
    return doc.toString();
  }

  /**
   * The search body exactly as the jar carries it (the file setup's users and the README point to).
   */
  static String shippedSearchBody() throws IOException {
    try (InputStream in =
        DeadManIT.class.getResourceAsStream("/elastic/" + DeadMan.QUERY_RESOURCE)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static JsonNode search(String target) throws Exception {
    return es.http().ok("POST", "/" + target + "/_search", shippedSearchBody());
  }

  @Test
  void theShippedQueryNamesTheHostsWhoseHealthRecordsStopped() throws Exception {
    JsonNode answer = search("logs-ksec.*");
    assertEquals(List.of("busy", "silent"), DeadMan.silentHosts(answer), answer.toString());
    assertEquals(0.0, answer.at("/aggregations/silent/value").asDouble(-1), answer.toString());
  }

  @Test
  void eachHostBucketCarriesItsLastRecordAndItsRecentCount() throws Exception {
    JsonNode buckets = search("logs-ksec.*").at("/aggregations/hosts/buckets");
    List<String> order = new ArrayList<>();
    buckets.forEach(b -> order.add(b.path("key").asText()));
    // silent first, the longest silent first; the host beyond the lookback is not there at all
    assertEquals(List.of("busy", "silent", "fresh-only", "fresh"), order, buckets.toString());
    Map<String, Long> lastSeen =
        Map.of(
            "busy", now.minus(Duration.ofMinutes(10)).toEpochMilli(),
            "silent", now.minus(Duration.ofMinutes(6)).toEpochMilli(),
            "fresh-only", now.minusSeconds(40).toEpochMilli(),
            "fresh", now.minusSeconds(20).toEpochMilli());
    for (JsonNode b : buckets) {
      String host = b.path("key").asText();
      assertEquals((double) lastSeen.get(host), b.at("/last_seen/value").asDouble(), b.toString());
      assertEquals(
          host.startsWith("fresh") ? 1 : 0, b.at("/recent/doc_count").asInt(), b.toString());
    }
  }

  @Test
  void whenEveryHostStillReportsItNamesNone() throws Exception {
    JsonNode answer = search(FRESH_ONLY_STREAM);
    // min_bucket still lists the hosts at the minimum; a minimum above zero means none is silent
    assertEquals(
        List.of("fresh-only"), toList(answer.at("/aggregations/silent/keys")), answer.toString());
    assertEquals(1.0, answer.at("/aggregations/silent/value").asDouble(), answer.toString());
    assertEquals(List.of(), DeadMan.silentHosts(answer));
  }

  @Test
  void theRulesEsqlAsKibanaSendsItNamesTheSameHosts() throws Exception {
    EsHttp.Reply probe = es.http().send("POST", "/_query", "{\"query\": \"ROW a = 1\"}");
    Assumptions.assumeTrue(
        probe.status() == 200,
        "this cluster has no ES|QL (the integ-test distribution lacks the"
            + " esql plugin): the rule's query is not run here; POST /_query answered "
            + probe.status());
    JsonNode rule;
    try (InputStream in =
        DeadManIT.class.getResourceAsStream("/elastic/" + DeadMan.RULE_RESOURCE)) {
      rule = EsHttp.JSON.readTree(in);
    }
    // what Kibana's fetchEsqlQuery sends: the rule's ES|QL, the time window as a range filter on
    // timeField
    ObjectNode request =
        EsHttp.JSON.createObjectNode().put("query", rule.at("/params/esqlQuery/esql").asText());
    request
        .putObject("filter")
        .putObject("bool")
        .putArray("filter")
        .addObject()
        .putObject("range")
        .putObject(rule.at("/params/timeField").asText())
        .put(
            "gt",
            "now-"
                + rule.at("/params/timeWindowSize").asText()
                + rule.at("/params/timeWindowUnit").asText())
        .put("lte", "now");
    JsonNode answer = es.http().ok("POST", "/_query", request.toString());
    int host = -1;
    for (int i = 0; i < answer.path("columns").size(); i++) {
      if (answer.path("columns").get(i).path("name").asText().equals(DeadMan.HOST_FIELD)) {
        host = i;
      }
    }
    List<String> named = new ArrayList<>();
    for (JsonNode row : answer.path("values")) {
      named.add(row.get(host).asText());
    }
    assertEquals(List.of("busy", "silent"), named, answer.toString());
  }

  private static List<String> toList(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
