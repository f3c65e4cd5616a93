package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code setup --kibana URL}: the import request and how its answers are reported. No Kibana binary
 * is available on the build machines (nor a Maven artifact of one), so a local {@link
 * com.sun.net.httpserver.HttpServer} stands in for Kibana: it records the request and answers the
 * way Kibana's saved objects import API documents (200 with {@code success}, {@code successCount},
 * {@code errors[]}; 401/403 with {@code statusCode}, {@code error}, {@code message}). Whether a
 * real Kibana accepts the objects is not tested here.
 */
class KibanaImportTest {
  record Request(
      String method, String path, String query, Map<String, List<String>> headers, String body) {
    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  record Run(int exit, List<String> out, List<String> err) {}

  HttpServer kibana;
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
  volatile int status = 200;
  volatile String answer = "{\"success\":true,\"successCount\":1,\"successResults\":[]}";

  /** The alerting API's answers, in turn (the last one repeats): a created rule by default. */
  volatile List<Integer> ruleStatuses = List.of(200);

  volatile String ruleAnswer = "{\"id\":\"" + DeadMan.RULE_ID + "\"}";
  String url;

  @BeforeEach
  void start() throws IOException {
    kibana = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    kibana.createContext("/", this::handle);
    kibana.start();
    url = "http://127.0.0.1:" + kibana.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    kibana.stop(0);
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    requests.add(
        new Request(
            exchange.getRequestMethod(),
            exchange.getRequestURI().getRawPath(),
            exchange.getRequestURI().getRawQuery(),
            Map.copyOf(exchange.getRequestHeaders()),
            body));
    boolean rule = exchange.getRequestURI().getRawPath().contains(KibanaRule.RULE_PATH);
    long ruleCalls = requests.stream().filter(r -> r.path().contains(KibanaRule.RULE_PATH)).count();
    byte[] bytes = (rule ? ruleAnswer : answer).getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
    exchange.sendResponseHeaders(
        rule ? ruleStatuses.get((int) Math.min(ruleCalls, ruleStatuses.size()) - 1) : status,
        bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  static Run setup(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = SetupMain.commandLine();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int exit = cl.execute(args);
    return new Run(exit, out.toString().lines().toList(), err.toString().lines().toList());
  }

  @Test
  void theImportIsMultipartWithThePartFileKbnXsrfOverwriteAndTheApiKey() throws Exception {
    int objects = KibanaDashboardsTest.lines(KibanaImport.bundledNdjson()).size();
    answer = "{\"success\":true,\"successCount\":" + objects + ",\"successResults\":[]}";
    Run run = setup("--kibana", url, "--api-key", "aWQ6a2V5");
    assertEquals(0, run.exit(), run.toString());
    assertEquals(List.of(), run.err());
    assertEquals(
        List.of(
            "installed Kibana saved objects at "
                + url
                + ": 6 dashboards, "
                + (objects - 13)
                + " Lens panels, 6 guides, data view logs-ksec.* ("
                + objects
                + " objects, overwritten if present)",
            RULE_CREATED),
        run.out());

    assertEquals(2, requests.size(), "the import, then the rule");
    Request request = requests.get(0);
    assertEquals("POST", request.method());
    assertEquals("/api/saved_objects/_import", request.path());
    assertEquals("overwrite=true", request.query());
    assertEquals("true", request.header("kbn-xsrf"));
    assertEquals("ApiKey aWQ6a2V5", request.header("Authorization"));

    Matcher boundary =
        Pattern.compile("multipart/form-data; boundary=(\\S+)")
            .matcher(request.header("Content-Type"));
    assertTrue(boundary.matches(), request.header("Content-Type"));
    String[] parts = request.body().split("--" + Pattern.quote(boundary.group(1)));
    assertEquals(
        3, parts.length, "one part between the opening and the closing boundary: " + parts.length);
    assertEquals("--\r\n", parts[2]);
    String part = parts[1];
    int headerEnd = part.indexOf("\r\n\r\n");
    String headers = part.substring(0, headerEnd);
    assertTrue(
        headers.contains(
            "Content-Disposition: form-data; name=\"file\"; filename=\"otel-kernel-receiver-dashboards.ndjson\""),
        headers);
    String content =
        part.substring(
            headerEnd + 4, part.length() - 2); // the part ends with CRLF before the boundary
    assertEquals(KibanaImport.bundledNdjson(), content);
    assertTrue(
        content.startsWith("{\"type\":\"index-pattern\",\"id\":\"ksec-logs\""),
        content.substring(0, 80));
  }

  static final String RULE_LINE =
      "installed Kibana rule "
          + DeadMan.RULE_ID
          + " \"[ksec] Agent stopped reporting (dead man)\": "
          + "names hosts whose agent.health records stopped for 3 minutes, seen in the last 7d, checked every 1m";
  static final String RULE_CREATED = RULE_LINE + " (created)";

  @Test
  void theRuleIsPostedUnderItsFixedIdWithTheBundledBody() throws Exception {
    Run run = setup("--kibana", url + "/s/security", "--api-key", "aWQ6a2V5");
    assertEquals(0, run.exit(), run.toString());
    Request request = requests.get(1);
    assertEquals("POST", request.method());
    assertEquals("/s/security/api/alerting/rule/" + DeadMan.RULE_ID, request.path());
    assertEquals("true", request.header("kbn-xsrf"));
    assertEquals("application/json", request.header("Content-Type"));
    assertEquals("ApiKey aWQ6a2V5", request.header("Authorization"));
    assertEquals(KibanaRule.bundled(), JsonResources.JSON.readTree(request.body()));
  }

  @Test
  void anExistingRuleIsUpdatedWithPutWithoutWhatPutRefuses() throws Exception {
    ruleStatuses = List.of(409, 200);
    ruleAnswer =
        "{\"statusCode\":409,\"error\":\"Conflict\",\"message\":\"Saved object [alert/"
            + DeadMan.RULE_ID
            + "] conflict\"}";
    Run run = setup("--kibana", url);
    assertEquals(0, run.exit(), run.toString());
    assertEquals(RULE_LINE + " (updated)", run.out().get(1));
    assertEquals(3, requests.size());
    Request put = requests.get(2);
    assertEquals("PUT", put.method());
    assertEquals("/api/alerting/rule/" + DeadMan.RULE_ID, put.path());
    com.fasterxml.jackson.databind.node.ObjectNode expected = KibanaRule.bundled();
    expected.remove(List.of("rule_type_id", "consumer", "enabled"));
    assertEquals(expected, JsonResources.JSON.readTree(put.body()));
  }

  @Test
  void aKibanaThatRefusesTheRuleIsOneLineNamingTheVersion() {
    ruleStatuses = List.of(400);
    ruleAnswer =
        "{\"statusCode\":400,\"error\":\"Bad Request\",\"message\":\"params invalid: [groupBy]: invalid groupBy: \\\"row\\\"\"}";
    Run run = setup("--kibana", url);
    assertEquals(1, run.exit(), run.toString());
    assertEquals(
        List.of(
            "error: Kibana at "
                + url
                + " answered 400 to POST /api/alerting/rule/"
                + DeadMan.RULE_ID
                + ": Bad Request: params invalid: [groupBy]: invalid groupBy: \"row\" (the rule needs Kibana 8.19, or 9.1 or newer:"
                + " ES|QL rules with one alert per row)"),
        run.err());
  }

  @Test
  void aUserWithoutRulePrivilegesIsTold() {
    ruleStatuses = List.of(403);
    ruleAnswer =
        "{\"statusCode\":403,\"error\":\"Forbidden\",\"message\":\"Unauthorized to create a \\\".es-query\\\" rule\"}";
    Run run = setup("--kibana", url);
    assertEquals(1, run.exit(), run.toString());
    assertEquals(1, run.err().size(), run.toString());
    assertTrue(
        run.err()
            .get(0)
            .endsWith(
                "(the user needs all privileges on Stack Rules (Management) in this space,"
                    + " and read access to logs-ksec.*: the rule queries as that user)"),
        run.err().get(0));
  }

  @Test
  void theBundleIsTheSixFilesWithTheDataViewOnce() throws IOException {
    long lines = 0;
    for (String file : KibanaDashboardsTest.committed().values()) {
      lines += file.lines().count();
    }
    List<com.fasterxml.jackson.databind.JsonNode> bundle =
        KibanaDashboardsTest.lines(KibanaImport.bundledNdjson());
    assertEquals(lines - 5, bundle.size()); // one data view for all six
    assertEquals(
        1, bundle.stream().filter(o -> o.get("type").asText().equals("index-pattern")).count());
    assertEquals(
        6, bundle.stream().filter(o -> o.get("type").asText().equals("dashboard")).count());
  }

  @Test
  void basicAuthenticationAndABasePath() {
    Run run =
        setup("--kibana", url + "/s/security/", "--username", "elastic", "--password", "changeme");
    assertEquals(0, run.exit(), run.toString());
    Request request = requests.get(0);
    assertEquals("/s/security/api/saved_objects/_import", request.path());
    assertEquals("Basic ZWxhc3RpYzpjaGFuZ2VtZQ==", request.header("Authorization"));
  }

  @Test
  void objectsKibanaRefusesAreOneLineEach() {
    status = 200;
    answer =
        """
        {"success":false,"successCount":40,"errors":[
          {"id":"ksec-process-rare-executables","type":"lens","title":"Rare executables",
           "meta":{"title":"Rare executables","icon":"lensApp"},
           "error":{"type":"missing_references","references":[{"type":"index-pattern","id":"ksec-logs"}]}},
          {"id":"ksec-overview","type":"dashboard","meta":{"title":"[ksec] Overview"},
           "error":{"type":"unknown","message":"Document \\"ksec-overview\\" has property \\"dashboard\\"\\nwhich belongs to a more recent version","statusCode":400}},
          {"id":"ksec-file-guide","type":"visualization","title":"g","error":{"type":"unsupported_type"}}
        ]}""";
    Run run = setup("--kibana", url);
    assertEquals(1, run.exit(), run.toString());
    assertEquals(
        List.of(
            "error: Kibana did not import lens ksec-process-rare-executables \"Rare executables\": missing_references (index-pattern ksec-logs)",
            "error: Kibana did not import dashboard ksec-overview \"[ksec] Overview\": unknown: Document \"ksec-overview\" has property "
                + "\"dashboard\" which belongs to a more recent version",
            "error: Kibana did not import visualization ksec-file-guide \"g\": unsupported_type (this Kibana does not know the type visualization)"),
        run.err());
    assertEquals(2, run.out().size(), run.toString());
    assertEquals(RULE_CREATED, run.out().get(1), "the rule does not depend on the dashboards");
    assertTrue(
        run.out().get(0).startsWith("skipped   Kibana saved objects at " + url + ": 40 of "),
        run.out().get(0));
    assertTrue(
        run.out().get(0).endsWith("objects imported; 3 refused (lens, dashboard, visualization)"),
        run.out().get(0));
  }

  @Test
  void unauthorizedIsOneLineNamingTheFix() {
    status = 401;
    answer =
        "{\"statusCode\":401,\"error\":\"Unauthorized\",\"message\":\"[security_exception\\n\\tRoot causes:\\n\\t\\tsecurity_exception: "
            + "unable to authenticate user [elastic] for REST request [/_security/_authenticate]]: unable to authenticate user\"}";
    Run run = setup("--kibana", url, "--username", "elastic", "--password", "wrong");
    assertEquals(1, run.exit(), run.toString());
    assertEquals(List.of(), run.out());
    assertEquals(1, run.err().size(), run.toString());
    String line = run.err().get(0);
    assertTrue(
        line.startsWith(
            "error: Kibana at "
                + url
                + " answered 401 to POST /api/saved_objects/_import: Unauthorized: "
                + "[security_exception Root causes: security_exception: unable to authenticate user [elastic]"),
        line);
    assertTrue(
        line.endsWith(
            "(check --api-key, or --username and --password: Kibana takes the same users and API keys as Elasticsearch)"),
        line);
  }

  @Test
  void forbiddenNamesThePrivileges() {
    status = 403;
    answer =
        "{\"statusCode\":403,\"error\":\"Forbidden\",\"message\":\"Unable to bulk_create lens\"}";
    Run run = setup("--kibana", url, "--api-key", "k");
    assertEquals(1, run.exit());
    assertEquals(
        List.of(
            "error: Kibana at "
                + url
                + " answered 403 to POST /api/saved_objects/_import: Forbidden: Unable to bulk_create lens"
                + " (the user needs all privileges on Dashboard, Visualize Library and Data View Management in this space,"
                + " or Saved Objects Management)"),
        run.err());
  }

  @Test
  void somethingElseThanKibanaIsOneLine() {
    answer = "<html>nginx</html>";
    Run run = setup("--kibana", url);
    assertEquals(1, run.exit());
    assertEquals(
        List.of(
            "error: Kibana at "
                + url
                + " answered POST /api/saved_objects/_import with something that is not "
                + "Kibana's JSON (is --kibana Kibana's URL, with its base path if it has one?)"),
        run.err());
  }

  @Test
  void aRefusedConnectionIsOneLine() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Run run = setup("--kibana", "http://127.0.0.1:" + port, "--api-key", "k");
    assertEquals(1, run.exit(), run.toString());
    assertEquals(List.of(), run.out());
    assertEquals(1, run.err().size(), run.toString());
    String line = run.err().get(0);
    assertTrue(
        line.startsWith("error: cannot reach Kibana at http://127.0.0.1:" + port + ": "), line);
    assertTrue(line.toLowerCase(java.util.Locale.ROOT).contains("connection refused"), line);
    assertTrue(
        line.endsWith("(check --kibana: is Kibana running there? its port is 5601 by default)"),
        line);
  }

  @Test
  void withBothElasticsearchComesFirstAndItsFailureStopsSetup() throws IOException {
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    Run run =
        setup("--elasticsearch", "http://127.0.0.1:" + port, "--kibana", url, "--api-key", "k");
    assertEquals(1, run.exit(), run.toString());
    assertEquals(1, run.err().size(), run.toString());
    assertTrue(
        run.err()
            .get(0)
            .startsWith("error: cannot reach Elasticsearch at http://127.0.0.1:" + port),
        run.err().get(0));
    assertEquals(List.of(), requests, "Kibana is not asked before Elasticsearch is set up");
  }

  @Test
  void usage() {
    assertEquals(
        new Run(
            2,
            List.of(),
            List.of("error: give --elasticsearch URL, --kibana URL, or both (see --help)")),
        setup("--api-key", "k"));
    assertEquals(
        new Run(
            2,
            List.of(),
            List.of("error: --kibana: 'kibana:5601' is not an http(s)://host[:port] URL")),
        setup("--kibana", "kibana:5601"));
    assertEquals(
        new Run(
            2,
            List.of(),
            List.of(
                "error: --kibana: put credentials in --username/--password or --api-key, not in the URL")),
        setup("--kibana", "http://u:p@kibana:5601"));
    assertEquals(List.of(), requests);
  }

  @Test
  void credentialsGoOverPlainHttpToThisHostOnly(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws IOException {
    assertEquals(
        new Run(
            2,
            List.of(),
            List.of(
                "error: --kibana: http://kibana.example:5601 would send the credentials"
                    + " unencrypted to another host: use https://, or add --insecure-http to accept that")),
        setup("--kibana", "http://kibana.example:5601", "--api-key", "k"));
    assertEquals(List.of(), requests);
    // loopback over http is fine, and the key can come from a file
    java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("key"), "filekey\n");
    Run run = setup("--kibana", url, "--api-key-file", key.toString());
    assertEquals(0, run.exit(), run.toString());
    assertEquals("ApiKey filekey", requests.get(0).header("Authorization"));
    assertEquals(
        new Run(
            2,
            List.of(),
            List.of(
                "error: --password-file: cannot read "
                    + dir.resolve("none")
                    + " (NoSuchFileException)")),
        setup(
            "--kibana", url, "--username", "u", "--password-file", dir.resolve("none").toString()));
  }
}
