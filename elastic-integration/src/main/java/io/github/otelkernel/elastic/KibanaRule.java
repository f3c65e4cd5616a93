package io.github.otelkernel.elastic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Installs the dead-man rule ({@link DeadMan}) through Kibana's alerting API. Saved objects import
 * would take a rule too, but leaves it disabled (its API key is not exported) and wants the
 * internal {@code alert} attributes, which change between versions; the API takes the public form
 * and runs the rule as the user who installs it. {@code POST /api/alerting/rule/<id>} creates it
 * under a fixed id; when it exists (409) {@code PUT} of the same id updates it, so running setup
 * again leaves one rule with the shipped definition, enabled or not as the operator left it.
 */
public final class KibanaRule {
  static final String RULE_PATH = "/api/alerting/rule/";
  private static final String FORBIDDEN_HINT =
      " (the user needs all privileges on Stack Rules (Management) in this space,"
          + " and read access to logs-ksec.*: the rule queries as that user)";

  private final URI kibana;
  private final String authorization;
  private final HttpClient http;

  /** The same arguments as {@link KibanaImport}'s. */
  public KibanaRule(URI kibana, String authorization, Path caFile) throws SetupException {
    this.kibana = kibana;
    this.authorization = authorization;
    this.http = KibanaImport.client(caFile);
  }

  /** The committed rule body, {@code elastic/rules/ksec-dead-man.json}, as the jar carries it. */
  public static ObjectNode bundled() {
    return JsonResources.object(DeadMan.RULE_RESOURCE);
  }

  public SetupReport install() throws SetupException {
    ObjectNode rule = bundled();
    String subject = "Kibana rule " + DeadMan.RULE_ID + " \"" + rule.path("name").asText() + "\"";
    DeadMan d = DeadMan.DEFAULT; // what the bundled file was generated from (DeadManTest)
    String what =
        "names hosts whose agent.health records stopped for "
            + DeadMan.timeSpan(d.threshold())
            + ", seen in the last "
            + DeadMan.dateMath(d.lookback())
            + ", checked every "
            + DeadMan.dateMath(d.interval());
    SetupReport report = new SetupReport();
    HttpResponse<String> created = send("POST", rule);
    if (created.statusCode() == 200) {
      report.installed(subject, what + " (created)");
      return report;
    }
    if (created.statusCode() != 409) {
      throw refusal("POST", created);
    }
    ObjectNode update = rule.deepCopy();
    update.remove(
        java.util.List.of(
            "rule_type_id", "consumer", "enabled")); // PUT refuses them: they stay as created
    HttpResponse<String> updated = send("PUT", update);
    if (updated.statusCode() != 200) {
      throw refusal("PUT", updated);
    }
    report.installed(subject, what + " (updated)");
    return report;
  }

  private HttpResponse<String> send(String method, JsonNode body) throws SetupException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(endpoint())
            .timeout(Duration.ofSeconds(60))
            .header("kbn-xsrf", "true")
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .method(
                method,
                HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw KibanaImport.unreachable(kibana, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SetupException.cluster("interrupted while installing a rule in Kibana at " + kibana);
    }
  }

  private URI endpoint() {
    return URI.create(kibana.toString().replaceAll("/+$", "") + RULE_PATH + DeadMan.RULE_ID);
  }

  private SetupException refusal(String method, HttpResponse<String> response) {
    JsonNode body;
    try {
      body = JsonResources.JSON.readTree(response.body());
    } catch (IOException e) {
      body = null;
    }
    SetupException e =
        KibanaImport.refused(
            kibana,
            method + " " + RULE_PATH + DeadMan.RULE_ID,
            response.statusCode(),
            body,
            FORBIDDEN_HINT);
    if (response.statusCode() == 400) {
      // what an older Kibana says of groupBy "row" or searchType "esqlQuery"
      return SetupException.cluster(
          e.getMessage()
              + " (the rule needs Kibana 8.19, or 9.1 or newer: ES|QL rules with one alert"
              + " per row)");
    }
    return e;
  }
}
