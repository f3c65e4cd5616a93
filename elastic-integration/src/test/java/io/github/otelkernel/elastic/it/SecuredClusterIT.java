package io.github.otelkernel.elastic.it;

import static io.github.otelkernel.elastic.it.Setups.document;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.otelkernel.elastic.SetupReport;
import io.github.otelkernel.elastic.SetupReport.Entry;
import io.github.otelkernel.elastic.SetupReport.Kind;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Roles on a cluster with security: with the basic license (no field-level security) and then with
 * a trial license, against users who hold only one of the roles each.
 */
class SecuredClusterIT {
  static final String PASSWORD = "ksec-test-password";

  /**
   * Its own data stream: the Collector test writes to logs-ksec.process.otel-default on the same
   * cluster.
   */
  static final String NAMESPACE = "roles";

  static final String DATA_STREAM = "logs-ksec.process.otel-" + NAMESPACE;

  /**
   * Fields of the test document the restricted analyst must not see: argv, command lines, raw
   * bytes.
   */
  static final List<String> HIDDEN =
      List.of(
          "process.command_line",
          "process.command_args",
          "ksec.process.parent.command_line",
          "ksec.process.command_args.raw",
          "ksec.process.env_vars");

  static ElasticsearchServer es;
  static SetupReport basic;
  static SetupReport trial;

  @BeforeAll
  static void setUp() throws Exception {
    es = ElasticsearchServer.secured();
    basic = Setups.run(es);
    es.http().ok("POST", "/_license/start_trial?acknowledge=true", null);
    trial = Setups.run(es);
    user("analyst", "ksec_analyst");
    user("restricted", "ksec_analyst_restricted");
    user("writer", "ksec_collector_writer");
    // the writer's first write creates the data stream, as the Collector's would
    es.http("writer", PASSWORD)
        .bulkCreate(
            DATA_STREAM, document("process-exec", NAMESPACE), document("process-exit", NAMESPACE));
  }

  @Test
  void basicLicenseGetsNoRestrictedRoleAndTheReportSaysWhy() throws Exception {
    assertEquals(
        List.of("role ksec_analyst", "role ksec_collector_writer"),
        subjects(basic, Kind.INSTALLED, "role "));
    assertEquals(
        List.of(
            "role ksec_analyst_restricted: field-level security needs a platinum, enterprise or trial license;"
                + " this cluster's is basic"),
        lines(basic, Kind.SKIPPED, "role "),
        basic.toString());
    assertTrue(basic.lines().get(0).endsWith(": license basic"), basic.lines().get(0));
  }

  @Test
  void trialLicenseGetsAllThreeRoles() throws Exception {
    assertEquals(
        List.of("role ksec_analyst", "role ksec_collector_writer", "role ksec_analyst_restricted"),
        subjects(trial, Kind.INSTALLED, "role "),
        trial.toString());
    assertTrue(trial.lines().get(0).endsWith(": license trial"), trial.lines().get(0));
    assertEquals(404, es.http().send("GET", "/_security/role/ksec_nonexistent", null).status());
    assertEquals(
        200, es.http().send("GET", "/_security/role/ksec_analyst_restricted", null).status());
  }

  @Test
  void theWriterCanOnlyCreateDocumentsInKsecDataStreams() throws Exception {
    EsHttp writer = es.http("writer", PASSWORD);
    assertEquals(403, writer.send("POST", "/" + DATA_STREAM + "/_search", "{}").status(), "read");
    JsonNode hit = es.http().ok("POST", "/" + DATA_STREAM + "/_search", "{}").at("/hits/hits/0");
    assertEquals(
        403,
        writer
            .send(
                "DELETE",
                "/" + hit.path("_index").asText() + "/_doc/" + hit.path("_id").asText(),
                null)
            .status(),
        "delete");
    assertEquals(
        403,
        writer.send("POST", "/logs-other-default/_doc", document("process-exit")).status(),
        "other data stream");
  }

  @Test
  void theAnalystReadsEverythingAndWritesNothing() throws Exception {
    EsHttp analyst = es.http("analyst", PASSWORD);
    JsonNode exec = execDocument(analyst);
    for (String field : HIDDEN) {
      assertTrue(exec.path("attributes").has(field), field + " in " + exec);
    }
    assertEquals(
        1,
        hits(
            analyst,
            """
        {"query": {"match": {"attributes.process.command_line.text": "authorization"}}}"""));
    assertEquals(
        1,
        hits(
            analyst,
            """
        {"query": {"wildcard": {"process.env_vars": "LD_PRELOAD=*"}}}"""),
        "the ECS name of the environment variables");
    assertEquals(
        403, analyst.send("POST", "/" + DATA_STREAM + "/_doc", document("process-exit")).status());
  }

  @Test
  void theRestrictedAnalystSeesNoCommandLines() throws Exception {
    EsHttp restricted = es.http("restricted", PASSWORD);
    JsonNode exec = execDocument(restricted);
    Set<String> visible = new TreeSet<>();
    exec.path("attributes").properties().forEach(f -> visible.add(f.getKey()));
    for (String field : HIDDEN) {
      assertFalse(visible.contains(field), field + " visible in " + visible);
    }
    assertTrue(
        visible.containsAll(
            Set.of("process.pid", "process.executable.path", "process.working_directory")),
        visible.toString());

    // nor can it find or count them, by any of their names
    for (String query :
        List.of(
            """
        {"query": {"match": {"attributes.process.command_line.text": "authorization"}}}""",
            """
        {"query": {"exists": {"field": "attributes.process.command_line"}}}""",
            """
        {"query": {"exists": {"field": "process.command_line"}}}""",
            """
        {"query": {"exists": {"field": "process.args"}}}""",
            """
        {"query": {"exists": {"field": "process.parent.command_line"}}}""",
            """
        {"query": {"exists": {"field": "process.env_vars"}}}""",
            """
        {"query": {"wildcard": {"attributes.ksec.process.env_vars": "LD_PRELOAD=*"}}}""",
            """
        {"query": {"exists": {"field": "attributes.ksec.process.command_args.raw"}}}""",
            """
        {"query": {"wildcard": {"process.command_args": "*s3cr3t*"}}}""")) {
      assertEquals(0, hits(restricted, query), query);
    }
    JsonNode fields =
        restricted
            .ok(
                "POST",
                "/" + DATA_STREAM + "/_search",
                """
        {"query": {"term": {"event_name": "process.exec"}}, "fields": ["*"], "_source": false}""")
            .at("/hits/hits/0/fields");
    fields
        .properties()
        .forEach(
            f ->
                assertFalse(
                    f.getKey().contains("command_line")
                        || f.getKey().endsWith("command_args")
                        || f.getKey().endsWith(".raw")
                        || f.getKey().endsWith("env_vars")
                        || f.getKey().equals("process.args"),
                    "field " + f.getKey() + " returned"));
    // everything else still works for it
    assertEquals(
        1,
        hits(
            restricted,
            """
        {"query": {"term": {"process.executable.name": "dash"}}}"""));
  }

  private static JsonNode execDocument(EsHttp as) throws Exception {
    JsonNode hits =
        as.ok(
                "POST",
                "/" + DATA_STREAM + "/_search",
                """
        {"query": {"term": {"event_name": "process.exec"}}}""")
            .at("/hits/hits");
    assertEquals(1, hits.size(), hits.toString());
    return hits.get(0).path("_source");
  }

  private static int hits(EsHttp as, String query) throws Exception {
    return as.ok("POST", "/" + DATA_STREAM + "/_search", query).at("/hits/total/value").asInt();
  }

  private static void user(String name, String role) throws Exception {
    var body = EsHttp.JSON.createObjectNode().put("password", PASSWORD);
    body.putArray("roles").add(role);
    es.http().ok("PUT", "/_security/user/" + name, body.toString());
  }

  private static List<String> subjects(SetupReport report, Kind kind, String prefix) {
    return report.entries().stream()
        .filter(e -> e.kind() == kind && e.subject().startsWith(prefix))
        .map(Entry::subject)
        .toList();
  }

  private static List<String> lines(SetupReport report, Kind kind, String prefix) {
    return report.entries().stream()
        .filter(e -> e.kind() == kind && e.subject().startsWith(prefix))
        .map(e -> e.subject() + ": " + e.detail())
        .toList();
  }
}
