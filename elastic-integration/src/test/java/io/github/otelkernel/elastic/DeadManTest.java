package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The dead-man query and rule: the committed files are what {@link DeadMan} generates, and their
 * shape is what Elasticsearch and Kibana take. Whether the query names the right hosts is {@code
 * DeadManIT}'s, against a real cluster; no Kibana runs here.
 */
class DeadManTest {
  static final Path RESOURCES = Path.of("src", "main", "resources", "elastic");

  @Test
  void theCommittedFilesAreWhatDeadManGenerates() throws IOException {
    Map<String, String> generated =
        Map.of(
            DeadMan.QUERY_RESOURCE, DeadMan.pretty(DeadMan.DEFAULT.searchBody()),
            DeadMan.RULE_RESOURCE, DeadMan.pretty(DeadMan.DEFAULT.kibanaRule()));
    List<String> stale = new ArrayList<>();
    for (var file : generated.entrySet()) {
      Path path = RESOURCES.resolve(file.getKey());
      if (Boolean.getBoolean("deadman.regenerate")) {
        Files.createDirectories(path.getParent());
        Files.writeString(path, file.getValue(), StandardCharsets.UTF_8);
      } else if (!Files.exists(path)
          || !Files.readString(path, StandardCharsets.UTF_8).equals(file.getValue())) {
        stale.add(path.toString());
      }
    }
    assertEquals(
        List.of(),
        stale,
        "differs from io.github.otelkernel.elastic.DeadMan: regenerate with "
            + "mvn -o -pl elastic-integration test -Dtest=DeadManTest -Ddeadman.regenerate=true, review and commit");
    assertEquals(
        JsonResources.JSON.readTree(generated.get(DeadMan.RULE_RESOURCE)),
        KibanaRule.bundled(),
        "the jar's copy");
  }

  @Test
  void theSearchFiltersHealthRecordsOfTheLookbackAndCountsTheRecentOnesPerHost() {
    JsonNode body = JsonResources.object(DeadMan.QUERY_RESOURCE);
    assertEquals(0, body.path("size").asInt(-1));
    assertEquals("agent.health", body.at("/query/bool/filter/0/term/event_name").asText());
    assertEquals("now-7d", body.at("/query/bool/filter/1/range/@timestamp/gte").asText());
    JsonNode hosts = body.at("/aggs/hosts");
    assertEquals("resource.attributes.host.name", hosts.at("/terms/field").asText());
    assertEquals(
        "[{\"recent\":\"asc\"},{\"last_seen\":\"asc\"}]", hosts.at("/terms/order").toString());
    assertEquals("@timestamp", hosts.at("/aggs/last_seen/max/field").asText());
    assertEquals(
        "now-3m",
        hosts.at("/aggs/recent/filter/range/@timestamp/gte").asText(),
        "3 × the default 60 s");
    assertEquals("hosts>recent>_count", body.at("/aggs/silent/min_bucket/buckets_path").asText());
    assertTrue(
        !body.toString().contains("script"), "no script: clusters without Painless run it too");
  }

  @Test
  void theFieldsAreMappedAndAggregatable() {
    Map<String, String> mapped = KibanaDashboardsTest.mappedTypes();
    assertEquals("keyword", mapped.get("event_name"));
    assertEquals("keyword", mapped.get(DeadMan.HOST_FIELD));
    assertEquals("date", mapped.get(DeadMan.TIME_FIELD));
  }

  @Test
  void theRuleIsAnEsqlEsQueryRuleWithOneAlertPerRowAsKibanaValidatesIt() {
    JsonNode rule = KibanaRule.bundled();
    assertEquals(".es-query", rule.path("rule_type_id").asText());
    assertEquals("stackAlerts", rule.path("consumer").asText());
    assertEquals("1m", rule.at("/schedule/interval").asText());
    assertTrue(rule.path("enabled").asBoolean());
    assertEquals(
        4, UUID.fromString(DeadMan.RULE_ID).version(), "Kibana takes a UUID v1 or v4 as a rule id");
    JsonNode params = rule.path("params");
    // Kibana's validateParams for searchType esqlQuery: a timeField, threshold [0], comparator ">"
    assertEquals("esqlQuery", params.path("searchType").asText());
    assertEquals("@timestamp", params.path("timeField").asText());
    assertEquals("[0]", params.path("threshold").toString());
    assertEquals(">", params.path("thresholdComparator").asText());
    assertEquals("row", params.path("groupBy").asText());
    assertEquals(7, params.path("timeWindowSize").asInt());
    assertEquals("d", params.path("timeWindowUnit").asText());
    assertTrue(params.path("size").isInt());
    assertTrue(
        !params.has("esQuery") && !params.has("index") && !params.has("searchConfiguration"),
        "Kibana's schema forbids the other search types' params here: " + params);
    assertEquals(
        "FROM logs-ksec.* | WHERE event_name == \"agent.health\""
            + " | STATS last_seen = MAX(@timestamp) BY resource.attributes.host.name"
            + " | WHERE last_seen < NOW() - 3 minutes | SORT last_seen ASC | LIMIT 10000",
        params.at("/esqlQuery/esql").asText());
  }

  @Test
  void otherIntervalsChangeBothForms() {
    DeadMan fiveMinutes = new DeadMan(Duration.ofMinutes(5), 3, Duration.ofDays(1));
    assertEquals(
        "now-15m",
        fiveMinutes
            .searchBody()
            .at("/aggs/hosts/aggs/recent/filter/range/@timestamp/gte")
            .asText());
    assertEquals(
        "now-1d",
        fiveMinutes.searchBody().at("/query/bool/filter/1/range/@timestamp/gte").asText());
    assertTrue(fiveMinutes.esql().contains("NOW() - 15 minutes"), fiveMinutes.esql());
    assertEquals("5m", fiveMinutes.kibanaRule().at("/schedule/interval").asText());
    assertEquals("90s", DeadMan.dateMath(Duration.ofSeconds(90)));
    assertEquals("1 hour", DeadMan.timeSpan(Duration.ofHours(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new DeadMan(Duration.ofMinutes(1), 3, Duration.ofMinutes(3)));
  }

  @Test
  void silentHostsAreTheKeysOnlyWhenTheMinimumIsZero() throws IOException {
    assertEquals(
        List.of("b", "c"),
        DeadMan.silentHosts(
            JsonResources.JSON.readTree(
                "{\"aggregations\":{\"silent\":{\"value\":0.0,\"keys\":[\"b\",\"c\"]}}}")));
    assertEquals(
        List.of(),
        DeadMan.silentHosts(
            JsonResources.JSON.readTree(
                "{\"aggregations\":{\"silent\":{\"value\":2.0,\"keys\":[\"a\"]}}}")),
        "every host wrote recently");
    assertEquals(
        List.of(),
        DeadMan.silentHosts(
            JsonResources.JSON.readTree(
                "{\"aggregations\":{\"silent\":{\"value\":null,\"keys\":[]}}}")),
        "no host at all");
  }
}
