package io.github.otelkernel.elastic.it;

import static io.github.otelkernel.elastic.it.Setups.DATA_STREAM;
import static io.github.otelkernel.elastic.it.Setups.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.elastic.SetupReport;
import io.github.otelkernel.elastic.SetupReport.Entry;
import io.github.otelkernel.elastic.SetupReport.Kind;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Setup against a real cluster without security, with the test distribution's gaps (no ILM, no data
 * stream lifecycle, no wildcard/match_only_text/constant_keyword), then documents shaped as the
 * Collector's elasticsearch exporter writes them in mapping mode otel.
 */
class SetupIT {
  static ElasticsearchServer es;
  static SetupReport first;
  static SetupReport second;
  static JsonNode installedAfterFirst;

  @BeforeAll
  static void setUp() throws Exception {
    es = ElasticsearchServer.open();
    first = Setups.run(es);
    installedAfterFirst = installed();
    second = Setups.run(es);
    es.http().bulkCreate(DATA_STREAM, document("process-exec"), document("process-exit"));
  }

  @Test
  void reportsWhatItInstalledAndWhatItSkippedWithTheReason() {
    List<String> lines = first.lines();
    assertTrue(
        lines.get(0).startsWith("cluster   Elasticsearch 9.2.0 at " + es.url + ": license basic"),
        lines.get(0));
    Map<String, String> installed = subjects(Kind.INSTALLED);
    assertEquals(
        Set.of(
            "component template logs-ksec@settings",
            "component template logs-ksec@mappings",
            "index template logs-ksec",
            "index template logs-ksec.process",
            "index template logs-ksec.file",
            "index template logs-ksec.network",
            "index template logs-ksec.kernel",
            "index template logs-ksec.agent"),
        installed.keySet(),
        lines.toString());
    assertEquals("logs-ksec.*, priority 250", installed.get("index template logs-ksec"));
    assertEquals("logs-ksec.file.*, priority 251", installed.get("index template logs-ksec.file"));
    assertTrue(
        installed
            .get("component template logs-ksec@mappings")
            .matches("\\d+ attribute fields, \\d+ ECS aliases"));

    Map<String, String> skipped = subjects(Kind.SKIPPED);
    assertEquals(
        "security is disabled on this cluster",
        skipped.get("roles ksec_analyst, ksec_collector_writer, ksec_analyst_restricted"),
        lines.toString());
    assertEquals(
        "this cluster has neither ILM nor the data stream lifecycle; records are kept until deleted",
        skipped.get("retention"));
    assertEquals(
        "not on this cluster; left out attributes.process.command_line.wildcard",
        skipped.get("field type wildcard"));
    assertEquals(
        "not on this cluster; text instead for body.text, attributes.ksec.process.parent.command_line.text, "
            + "attributes.process.command_line.text",
        skipped.get("field type match_only_text"));
    assertEquals(
        "not on this cluster; keyword instead for data_stream.type, data_stream.dataset, data_stream.namespace",
        skipped.get("field type constant_keyword"));
  }

  @Test
  void runningItAgainInstallsTheSameThings() throws Exception {
    assertEquals(first.lines(), second.lines());
    assertEquals(installedAfterFirst, installed());
  }

  @Test
  void exporterDocumentsGetTheExplicitTypes() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    expected.put("@timestamp", "date");
    expected.put("observed_timestamp", "date_nanos");
    expected.put("event_name", "keyword");
    expected.put("body.text", "text");
    expected.put("data_stream.dataset", "keyword");
    expected.put("attributes.process.pid", "long");
    expected.put("attributes.process.parent_pid", "long");
    expected.put("attributes.thread.id", "long");
    expected.put("attributes.process.user.id", "long");
    expected.put("attributes.process.args_count", "long");
    expected.put("attributes.process.creation.time", "date");
    expected.put("attributes.process.exit.time", "date");
    expected.put("attributes.ksec.process.parent.creation.time", "date");
    expected.put("attributes.process.executable.path", "keyword");
    expected.put("attributes.process.working_directory", "keyword");
    expected.put("attributes.process.command_args", "keyword");
    expected.put("attributes.process.command_line", "keyword");
    expected.put("attributes.process.interactive", "boolean");
    expected.put("attributes.ksec.process.comm", "keyword");
    expected.put("attributes.ksec.process.cgroup.id", "long");
    expected.put("attributes.ksec.process.pid_namespace.is_host", "boolean");
    expected.put("attributes.ksec.process.exit.signal", "long");
    expected.put("attributes.ksec.process.command_args.raw", "keyword");
    expected.put("resource.attributes.host.name", "keyword");
    expected.put("resource.attributes.service.instance.id", "keyword");
    expected.put("scope.name", "keyword");

    JsonNode mappings = fieldMappings(String.join(",", expected.keySet()));
    Map<String, String> actual = new LinkedHashMap<>();
    expected
        .keySet()
        .forEach(f -> actual.put(f, mappings.path(f).path("type").asText("(unmapped)")));
    assertEquals(expected, actual);

    JsonNode commandLine = mappings.path("attributes.process.command_line");
    assertEquals(8191, commandLine.path("ignore_above").asInt(), commandLine.toString());
    assertEquals(
        "text",
        commandLine.path("fields").path("text").path("type").asText(),
        commandLine.toString());
  }

  @Test
  void everyAttributeOfTheDocumentsHasAnExplicitField() throws Exception {
    JsonNode template =
        es.http()
            .get("/_component_template/logs-ksec@mappings")
            .at("/component_templates/0/component_template/template/mappings/properties");
    Set<String> explicit = new TreeSet<>();
    template
        .path("attributes")
        .path("properties")
        .properties()
        .forEach(f -> explicit.add("attributes." + f.getKey()));
    template
        .at("/resource/properties/attributes/properties")
        .fieldNames()
        .forEachRemaining(f -> explicit.add("resource.attributes." + f));
    Set<String> sent = new TreeSet<>();
    for (String doc : List.of("process-exec", "process-exit")) {
      JsonNode d = EsHttp.JSON.readTree(document(doc));
      d.path("attributes").properties().forEach(f -> sent.add("attributes." + f.getKey()));
      d.at("/resource/attributes")
          .properties()
          .forEach(f -> sent.add("resource.attributes." + f.getKey()));
    }
    sent.removeAll(explicit);
    assertEquals(Set.of(), sent, "attributes that would be mapped dynamically");
  }

  @Test
  void searchesAndAggregationsWorkOnTheTypedFields() throws Exception {
    // numeric, not lexicographic: as keywords "7040" would sort after "10000"
    assertEquals(
        0,
        hits(
            """
        {"query": {"range": {"attributes.process.pid": {"gte": 10000}}}}"""));
    // full text inside the command line, and the passthrough name without the attributes. prefix
    assertEquals(
        1,
        hits(
            """
        {"query": {"match": {"attributes.process.command_line.text": "authorization"}}}"""));
    assertEquals(
        1,
        hits(
            """
        {"query": {"term": {"process.executable.name": "dash"}}}"""));
    // ECS names: aliases of the OTel attributes
    assertEquals(
        1,
        hits(
            """
        {"query": {"term": {"process.parent.pid": 7040}}}"""));
    assertEquals(
        1,
        hits(
            """
        {"query": {"term": {"event.action": "end"}}}"""));
    // the ECS categorization from the scope, as rules select on it
    assertEquals(
        2,
        hits(
            """
        {"query": {"bool": {"filter": [{"term": {"event.category": "process"}},
          {"terms": {"event.type": ["start", "end"]}}]}}}"""));

    JsonNode aggs =
        search(
                """
        {"size": 0,
         "aggs": {
           "by_day": {"date_histogram": {"field": "process.creation.time", "calendar_interval": "day"}},
           "executables": {"terms": {"field": "process.executable"}},
           "hosts": {"terms": {"field": "resource.attributes.host.name"}},
           "oldest_parent": {"min": {"field": "attributes.ksec.process.parent.creation.time"}},
           "signals": {"terms": {"field": "ksec.process.exit.signal_name"}}
         }}""")
            .path("aggregations");
    assertEquals(
        "2025-11-28T00:00:00.000Z",
        aggs.at("/by_day/buckets/0/key_as_string").asText(),
        aggs.toString());
    assertEquals(2, aggs.at("/by_day/buckets/0/doc_count").asInt());
    assertEquals("/usr/bin/dash", aggs.at("/executables/buckets/0/key").asText());
    assertEquals(2, aggs.at("/hosts/buckets/0/doc_count").asInt());
    assertEquals("2025-11-28T15:01:02.123Z", aggs.at("/oldest_parent/value_as_string").asText());
    assertEquals("SIGKILL", aggs.at("/signals/buckets/0/key").asText());
  }

  private static Map<String, String> subjects(Kind kind) {
    Map<String, String> m = new LinkedHashMap<>();
    for (Entry e : first.entries()) {
      if (e.kind() == kind) {
        m.put(e.subject(), e.detail());
      }
    }
    return m;
  }

  /** What setup installed, without the timestamps Elasticsearch adds. */
  private static JsonNode installed() throws Exception {
    ObjectNode all = EsHttp.JSON.createObjectNode();
    all.set("components", es.http().get("/_component_template/logs-ksec@*"));
    all.set("index", es.http().get("/_index_template/logs-ksec"));
    for (JsonNode template : all.findParents("modified_date_millis")) {
      ((ObjectNode) template).remove(List.of("created_date_millis", "modified_date_millis"));
    }
    return all;
  }

  /** field → its mapping, in the data stream's (only) backing index. */
  private static JsonNode fieldMappings(String fields) throws Exception {
    JsonNode byIndex = es.http().get("/" + DATA_STREAM + "/_mapping/field/" + fields);
    ObjectNode out = EsHttp.JSON.createObjectNode();
    byIndex
        .elements()
        .next()
        .path("mappings")
        .properties()
        .forEach(
            f -> {
              JsonNode mapping = f.getValue().path("mapping");
              out.set(f.getKey(), mapping.elements().next());
            });
    return out;
  }

  static JsonNode search(String body) throws Exception {
    return es.http().ok("POST", "/" + DATA_STREAM + "/_search", body);
  }

  static int hits(String body) throws Exception {
    return search(body).at("/hits/total/value").asInt();
  }
}
