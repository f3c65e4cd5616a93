package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.elastic.it.ElasticsearchServer;
import io.github.otelkernel.elastic.it.EsHttp;
import io.github.otelkernel.elastic.it.Setups;
import io.github.otelkernel.elastic.kibana.PanelQueries;
import io.github.otelkernel.semconv.KsecDataStreams;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path as a user deploys it: the agent on this kernel → OTLP/gRPC over TLS → the real
 * Collector running collector/gateway.yaml unchanged (elasticsearch exporter, mapping mode otel, an
 * API key limited to the ksec_collector_writer role) → a real Elasticsearch 9.2 set up by our setup
 * code. A tagged process connects to a loopback port; its documents must arrive typed.
 */
class AgentToElasticsearchIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  static Path dir;

  static final String TAG = "e2e-" + System.nanoTime();

  /** receivers.ebpf.data_stream.namespace of the agent: the last part of every stream's name. */
  static final String NAMESPACE = "e2e";

  /** Every domain's stream of this namespace: one process's records span several. */
  static final String STREAMS = "logs-ksec.*.otel-" + NAMESPACE;

  static ElasticsearchServer es;
  static CollectorProcess collector;
  static int port;
  static long startMillis;
  static long endMillis;
  static JsonNode exec;
  static String entityId;

  /** When the detection behaviours (workloads/detections.sh) began. */
  static long detectionsMillis;

  @BeforeAll
  static void runPipeline() throws Exception {
    es = ElasticsearchServer.secured();
    Setups.run(es);
    JsonNode writer =
        es.http().get("/_security/role/ksec_collector_writer").path("ksec_collector_writer");
    ObjectNode keyRequest = EsHttp.JSON.createObjectNode().put("name", "ksec-gateway-" + TAG);
    ObjectNode descriptor = keyRequest.putObject("role_descriptors").putObject("writer");
    descriptor.set("cluster", writer.path("cluster"));
    descriptor.set("indices", writer.path("indices"));
    String apiKey =
        es.http().ok("POST", "/_security/api_key", keyRequest.toString()).path("encoded").asText();

    Path pki = Files.createDirectories(dir.resolve("pki"));
    TestPki.create(pki);
    collector =
        new CollectorProcess(
                dir,
                Path.of(System.getProperty("gateway.config")).toAbsolutePath().toString(),
                Map.of(
                    "OTELCOL_TLS_CERT_FILE",
                    pki.resolve("serverA.pem").toString(),
                    "OTELCOL_TLS_KEY_FILE",
                    pki.resolve("serverA.key").toString(),
                    "ELASTICSEARCH_URL",
                    es.url.toString(),
                    "ELASTICSEARCH_API_KEY",
                    apiKey,
                    "OTELCOL_STORAGE_DIR",
                    dir.resolve("storage").toString()))
            .start();

    try (ServerSocket listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        AgentProcess agent =
            AgentProcess.startWith(
                dir,
                "\n    data_stream: {namespace: " + NAMESPACE + "}",
                """
            otlp:
              endpoint: "127.0.0.1:%d"
              tls: {ca_file: %s}
            """
                    .formatted(collector.grpcPort, pki.resolve("caA.pem")),
                "",
                List.of("otlp"),
                List.of(),
                "batch: {timeout: 100ms}")) {
      port = listener.getLocalPort();
      startMillis = System.currentTimeMillis();
      AgentProcess.run(
          dir,
          "python3",
          "-c",
          "import socket, sys; socket.create_connection(('127.0.0.1', int(sys.argv[1]))).close()",
          Integer.toString(port),
          TAG + "-connect");
      endMillis = System.currentTimeMillis();
      // the rest of the catalog and what the dashboards look for, so that every panel has real data
      Path work = Files.createDirectories(dir.resolve("work"));
      AgentProcess.run(
          work,
          "python3",
          resource("catalog.py").toString(),
          work.toString(),
          TAG,
          Long.toString(agent.pid()),
          Integer.toString(AgentProcess.freePort()),
          Integer.toString(AgentProcess.freePort()),
          Integer.toString(AgentProcess.freePort()),
          CatalogEventsIT.syscallNumbers());
      AgentProcess.run(work, "/bin/sh", resource("dashboards.sh").toString(), work.toString(), TAG);
      detectionsMillis = System.currentTimeMillis();
      AgentProcess.run(
          work,
          "/bin/sh",
          resource("detections.sh").toString(),
          work.toString(),
          TAG,
          Integer.toString(AgentProcess.freePort()));
      assertEquals(0, agent.stop(), agent.stderrText());
    }
    exec =
        awaitHits("{\"query\": {\"term\": {\"process.command_args\": \"" + TAG + "-connect\"}}}", 1)
            .get(0);
    entityId = exec.at("/_source/attributes/ksec.process.entity_id").asText();
    awaitHits(byEntity("{\"term\": {\"event_name\": \"network.connect\"}}"), 1);
    // the agent's last agent.health record leaves at stop, after everything else: wait for it too
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (true) {
      es.http().send("POST", "/logs-ksec.*/_refresh", "");
      EsHttp.Reply r =
          es.http()
              .send(
                  "POST",
                  "/logs-ksec.*/_search",
                  "{\"query\": {\"term\": {\"event_name\": \"agent.health\"}}}");
      if (r.status() == 200 && r.body().at("/hits/total/value").asLong() > 0) {
        break;
      }
      if (System.nanoTime() > deadline) {
        fail(
            "no agent.health record in logs-ksec.* within 90 s; Collector log:\n"
                + collector.log());
      }
      Thread.sleep(500);
    }
  }

  static Path resource(String name) throws Exception {
    Path p = dir.resolve(name);
    try (java.io.InputStream in =
        AgentToElasticsearchIT.class.getResourceAsStream("/workloads/" + name)) {
      Files.write(p, in.readAllBytes());
    }
    return p;
  }

  @AfterAll
  static void stopCollector() throws Exception {
    if (collector != null) {
      collector.stop();
    }
  }

  /** The process's documents matching one more filter. */
  static String byEntity(String filter) {
    return """
        {"query": {"bool": {"filter": [{"term": {"ksec.process.entity_id": "%s"}}, %s]}}, "size": 100}"""
        .formatted(entityId, filter);
  }

  static List<JsonNode> search(String query) throws Exception {
    EsHttp.Reply r = es.http().send("POST", "/" + STREAMS + "/_search", query);
    assertEquals(200, r.status(), r.body().toString());
    List<JsonNode> hits = new ArrayList<>();
    r.body().at("/hits/hits").forEach(hits::add);
    return hits;
  }

  static List<JsonNode> awaitHits(String query, int atLeast) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      es.http().send("POST", "/" + STREAMS + "/_refresh", "");
      EsHttp.Reply r = es.http().send("POST", "/" + STREAMS + "/_search", query);
      if (r.status() == 200 && r.body().at("/hits/hits").size() >= atLeast) {
        List<JsonNode> hits = new ArrayList<>();
        r.body().at("/hits/hits").forEach(hits::add);
        return hits;
      }
      Thread.sleep(500);
    }
    fail("no documents for " + query + " within 90 s; Collector log:\n" + collector.log());
    return null;
  }

  /**
   * gateway.yaml has no processor that routes: each record's own data_stream.dataset and the
   * resource's namespace put it in its domain's stream. (Which template a stream came from cannot
   * be asked here: this distribution has no _data_stream API; TemplateFactoryTest checks that each
   * stream name matches its own domain's pattern only.)
   */
  @Test
  void everyRecordIsInItsDomainsDataStream() throws Exception {
    assertTrue(
        exec.path("_index").asText().startsWith(".ds-logs-ksec.process.otel-" + NAMESPACE + "-"),
        exec.toString());
    List<JsonNode> hits = search(byEntity("{\"match_all\": {}}"));
    List<String> names = hits.stream().map(h -> h.at("/_source/event_name").asText()).toList();
    assertTrue(names.containsAll(List.of("process.exec", "network.connect")), names.toString());
    // every (backing index, EventName, dataset) the whole run wrote, by aggregation: there are more
    // documents than one search returns
    JsonNode byIndex =
        es.http()
            .ok(
                "POST",
                "/logs-ksec.*/_search",
                """
                {"size": 0, "aggs": {"index": {"terms": {"field": "_index", "size": 100},
                  "aggs": {"name": {"terms": {"field": "event_name", "size": 200}},
                           "dataset": {"terms": {"field": "data_stream.dataset", "size": 10}},
                           "namespace": {"terms": {"field": "data_stream.namespace", "size": 10}}}}}}
                """)
            .at("/aggregations/index/buckets");
    java.util.Set<String> streams = new java.util.TreeSet<>();
    for (JsonNode index : byIndex) {
      String backing = index.path("key").asText();
      String stream = null;
      for (JsonNode name : index.at("/name/buckets")) {
        String dataset = KsecDataStreams.dataset(name.path("key").asText());
        String expected = "logs-" + dataset + ".otel-" + NAMESPACE;
        assertTrue(backing.startsWith(".ds-" + expected + "-"), name + " in " + backing);
        assertEquals(dataset + ".otel", index.at("/dataset/buckets/0/key").asText(), backing);
        assertEquals(1, index.at("/dataset/buckets").size(), index.toString());
        assertEquals(NAMESPACE, index.at("/namespace/buckets/0/key").asText(), backing);
        stream = expected;
      }
      streams.add(stream);
    }
    assertTrue(
        streams.containsAll(
            java.util.Arrays.stream(KsecDataStreams.Domain.values())
                .map(d -> "logs-" + d.dataset() + ".otel-" + NAMESPACE)
                .toList()),
        "every domain received records: " + streams);
  }

  @Test
  void pidsAreNumbersAddressesAreIpsAndTimesAreTheEventTime() throws Exception {
    assertTrue(exec.at("/_source/attributes/process.pid").isIntegralNumber(), exec.toString());
    JsonNode fields =
        es.http()
            .get(
                "/"
                    + STREAMS
                    + "/_mapping/field/"
                    + "attributes.process.pid,attributes.destination.address,attributes.destination.port")
            .elements()
            .next()
            .path("mappings");
    assertEquals(
        "long",
        fields.at("/attributes.process.pid/mapping/process.pid/type").asText(),
        fields.toString());
    assertEquals(
        "ip",
        fields.at("/attributes.destination.address/mapping/destination.address/type").asText());
    assertEquals(
        "long", fields.at("/attributes.destination.port/mapping/destination.port/type").asText());
    // @timestamp is when the kernel saw the exec, not when Elasticsearch got it
    long ts = (long) Double.parseDouble(exec.at("/_source/@timestamp").asText());
    assertTrue(
        ts >= startMillis - 1000 && ts <= endMillis + 1000,
        ts + " not in [" + startMillis + ", " + endMillis + "]");
  }

  @Test
  void rangeAndCidrQueriesOnTheDestinationAddress() throws Exception {
    List<JsonNode> loopback =
        search(
            byEntity(
                "{\"range\": {\"destination.address\": {\"gte\": \"127.0.0.0\", \"lte\": \"127.255.255.255\"}}}"));
    assertEquals(1, loopback.size(), loopback.toString());
    assertEquals(port, loopback.get(0).at("/_source/attributes/destination.port").asInt());
    assertEquals("network.connect", loopback.get(0).at("/_source/event_name").asText());
    assertEquals(
        1, search(byEntity("{\"term\": {\"destination.address\": \"127.0.0.0/8\"}}")).size());
    assertEquals(
        0,
        search(
                byEntity(
                    "{\"range\": {\"destination.address\": {\"gte\": \"10.0.0.0\", "
                        + "\"lte\": \"10.255.255.255\"}}}"))
            .size());
  }

  /**
   * The query behind every panel of every shipped dashboard (issue 7), as Kibana would send it,
   * against the documents the real pipeline wrote: each must answer without error and find data.
   */
  @Test
  void everyDashboardPanelFindsData() throws Exception {
    es.http().send("POST", "/logs-ksec.*/_refresh", "");
    List<String> empty = new ArrayList<>();
    for (PanelQueries.PanelQuery q : PanelQueries.all()) {
      EsHttp.Reply r =
          es.http().send("POST", "/" + q.indexPattern() + "/_search", q.body().toString());
      assertEquals(200, r.status(), q + " -> " + r.body());
      if (r.body().at("/hits/total/value").asLong() == 0) {
        empty.add(q.dashboard() + " / " + q.panel());
      }
    }
    assertEquals(List.of(), empty, "panels without data");
  }

  @Test
  void termsAggregationOnExecutables() throws Exception {
    EsHttp.Reply r =
        es.http()
            .send(
                "POST",
                "/" + STREAMS + "/_search",
                """
        {"size": 0, "query": {"term": {"ksec.process.entity_id": "%s"}},
         "aggs": {"executables": {"terms": {"field": "process.executable.path"}}}}"""
                    .formatted(entityId));
    assertEquals(200, r.status(), r.body().toString());
    // one process, several programs: pyenv's shims exec env, bash, then python
    List<String> keys = new ArrayList<>();
    r.body().at("/aggregations/executables/buckets").forEach(b -> keys.add(b.path("key").asText()));
    assertTrue(
        keys.contains(exec.at("/_source/attributes/process.executable.path").asText()),
        keys.toString());
    assertTrue(keys.stream().anyMatch(k -> k.matches(".*/python3[.0-9]*")), keys.toString());
  }

  static String queryString(String lucene, int size) {
    ObjectNode q = EsHttp.JSON.createObjectNode().put("size", size);
    q.putObject("query").putObject("query_string").put("query", lucene);
    return q.toString();
  }

  /**
   * The ECS categorization rides on each record's scope; with the OS on the resource and the ECS
   * aliases, prebuilt-rule-style selections find the records: KQL there, query_string here.
   */
  @Test
  void ecsCategorizationAndFieldsSelectTheRecords() throws Exception {
    List<JsonNode> execs =
        search(
            queryString(
                "event.kind:event AND event.category:process AND event.type:start AND"
                    + " event.action:exec AND host.os.type:linux AND process.args:\""
                    + TAG
                    + "-connect\"",
                10));
    // one process, several programs (pyenv's shims exec env, bash, then python): each an exec
    assertFalse(execs.isEmpty());
    for (JsonNode e : execs) {
      assertEquals("process.exec", e.at("/_source/event_name").asText(), e.toString());
      assertEquals(entityId, e.at("/_source/attributes/ksec.process.entity_id").asText());
    }
    List<JsonNode> connects =
        search(
            queryString(
                "event.category:network AND event.type:connection AND"
                    + " event.action:connection_attempted AND destination.port:"
                    + port,
                10));
    assertEquals(1, connects.size(), connects.toString());
    // and the ECS names read back through the fields API, as rules' alert documents copy them
    JsonNode fields =
        es.http()
            .ok(
                "POST",
                "/" + STREAMS + "/_search",
                """
                {"query": {"bool": {"filter": [{"term": {"ksec.process.entity_id": "%s"}},
                  {"term": {"event.action": "exec"}}]}}, "_source": false, "size": 1,
                 "fields": ["event.*", "host.os.type", "user.id", "process.name", "process.parent.name"]}"""
                    .formatted(entityId))
            .at("/hits/hits/0/fields");
    assertEquals("[\"event\"]", fields.path("event.kind").toString(), fields.toString());
    assertEquals("[\"process\"]", fields.path("event.category").toString());
    assertEquals("[\"start\"]", fields.path("event.type").toString());
    assertEquals("[\"exec\"]", fields.path("event.action").toString());
    assertEquals("[\"linux\"]", fields.path("host.os.type").toString());
    assertEquals("[0]", fields.path("user.id").toString(), fields.toString());
    assertTrue(fields.path("process.parent.name").path(0).isTextual(), fields.toString());
  }

  /**
   * The Sigma pipeline elastic-integration ships, with pySigma and its Elasticsearch backend from
   * PyPI: the test's rules, written like public Linux rules, convert, and each finds the behaviour
   * detections.sh did for real, and only that kind of record.
   */
  @Test
  void shippedSigmaPipelineFiresOnRealBehaviours() throws Exception {
    List<JsonNode> rules = DetectionTools.sigmaQueries();
    assertEquals(5, rules.size(), rules.toString());
    es.http().send("POST", "/logs-ksec.*/_refresh", "");
    List<String> silent = new ArrayList<>();
    for (JsonNode rule : rules) {
      String index = rule.path("index").asText();
      assertTrue(index.startsWith("logs-ksec."), rule.toString());
      EsHttp.Reply r =
          es.http()
              .send("POST", "/" + index + "/_search", queryString(rule.path("query").asText(), 50));
      assertEquals(200, r.status(), rule + " -> " + r.body());
      JsonNode hits = r.body().at("/hits/hits");
      if (hits.isEmpty()) {
        silent.add(rule.path("rule").asText() + ": " + rule.path("query").asText());
      }
      String domain = index.substring("logs-ksec.".length(), index.length() - 2);
      for (JsonNode hit : hits) {
        assertTrue(
            hit.at("/_source/event_name").asText().startsWith(domain + "."),
            rule.path("rule") + " matched " + hit);
      }
    }
    assertEquals(List.of(), silent, "Sigma rules that found nothing");
  }

  /**
   * Prebuilt-style EQL rules (process, file, network, and sequences by host.id and
   * process.entity_id) over the ECS view of the documents read back from Elasticsearch (its fields
   * API: aliases and pass-through names resolved), evaluated by the eql package, since the test
   * cluster has no x-pack EQL; and KQL-style rules as Elasticsearch queries.
   */
  @Test
  void prebuiltStyleRulesFireOnRealBehaviours() throws Exception {
    es.http().send("POST", "/logs-ksec.*/_refresh", "");
    JsonNode hits =
        es.http()
            .ok(
                "POST",
                "/" + STREAMS + "/_search",
                """
                {"size": 10000, "_source": false, "fields": ["*"],
                 "query": {"range": {"@timestamp": {"gte": %d}}},
                 "sort": [{"@timestamp": "asc"}]}"""
                    .formatted(detectionsMillis - 1000))
            .at("/hits/hits");
    assertTrue(hits.size() > 0 && hits.size() < 10000, "documents: " + hits.size());
    Path documents = dir.resolve("ecs-view.ndjson");
    StringBuilder lines = new StringBuilder();
    hits.forEach(h -> lines.append(h.path("fields").toString()).append('\n'));
    Files.writeString(documents, lines);
    List<String> silent = new ArrayList<>();
    List<JsonNode> results = DetectionTools.eqlMatches("eql-rules.json", documents);
    assertEquals(8, results.size(), results.toString());
    for (JsonNode rule : results) {
      if (rule.path("matches").asInt() == 0) {
        silent.add(rule.path("name").asText());
      }
    }
    // and rules for what did not happen find nothing in the same documents
    for (JsonNode rule : DetectionTools.eqlMatches("eql-controls.json", documents)) {
      assertEquals(0, rule.path("matches").asInt(), rule.toString());
    }
    for (JsonNode rule : DetectionTools.kqlRules()) {
      List<JsonNode> found = search(queryString(rule.path("query").asText(), 10));
      if (found.isEmpty()) {
        silent.add(rule.path("name").asText());
      }
    }
    assertEquals(List.of(), silent, "rules that found nothing in " + hits.size() + " documents");
  }
}
