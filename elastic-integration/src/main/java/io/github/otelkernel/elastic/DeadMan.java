package io.github.otelkernel.elastic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The dead-man signal: the hosts whose {@code agent.health} records stopped. An agent writes one
 * every {@code receivers.ebpf.health_interval} (60 s by default); a host is named when it wrote one
 * within the lookback but none in the last {@code missed} intervals. The records carry no interval
 * of their own, so the threshold is this parameter, not a per-host value: a fleet that sets another
 * health_interval needs another threshold.
 *
 * <p>Two forms of the same condition, both generated from here (one fact in one place) and
 * committed as {@code elastic/queries/dead-man.json} and {@code elastic/rules/ksec-dead-man.json}
 * ({@code DeadManTest} fails when they differ from this class):
 *
 * <ul>
 *   <li>{@link #searchBody()}: a {@code _search} body over {@code logs-ksec.*}, for Dev Tools, a
 *       script or a watch. It needs no script (bucket_selector would need Painless, which clusters
 *       that disable scripting and the test distribution lack): the host buckets carry the count of
 *       records in the recent window, and the sibling {@code min_bucket} {@code silent} names every
 *       host tied at the minimum. {@code silent.value == 0} means those hosts wrote nothing
 *       recently; any other value means no host is silent. {@link #silentHosts} reads it so.
 *   <li>{@link #kibanaRule()}: the body of Kibana's {@code POST /api/alerting/rule/{id}}, an
 *       Elasticsearch query rule in ES|QL with one alert per row. Kibana's query-DSL variant of
 *       that rule type uses only the {@code query} of a search (not its aggregations), and its
 *       groups come from the documents found, so a host that sends nothing can never be a group
 *       there; ES|QL computes the last record per host and keeps the silent ones itself.
 * </ul>
 */
public record DeadMan(Duration interval, int missed, Duration lookback) {
  /** The receiver's default health_interval, three of them missed, seen within the last 7 days. */
  public static final DeadMan DEFAULT = new DeadMan(Duration.ofSeconds(60), 3, Duration.ofDays(7));

  public static final String INDEX_PATTERN = "logs-ksec.*";
  public static final String EVENT_NAME = "agent.health";
  public static final String HOST_FIELD = "resource.attributes.host.name";
  public static final String TIME_FIELD = "@timestamp";
  public static final String QUERY_RESOURCE = "queries/dead-man.json";
  public static final String RULE_RESOURCE = "rules/ksec-dead-man.json";

  /**
   * Kibana takes a caller's rule id only as a UUID; a fixed one makes installing it again an
   * update.
   */
  public static final String RULE_ID = "6f1d3c2a-9b4e-4c71-8e5a-2d7b0a9c4e13";

  public static final String RULE_NAME = "[ksec] Agent stopped reporting (dead man)";

  /** More hosts than a fleet of agents has; search.max_buckets (65536) allows it. */
  static final int MAX_HOSTS = 10_000;

  public DeadMan {
    if (interval.isNegative()
        || interval.isZero()
        || missed < 1
        || lookback.compareTo(interval.multipliedBy(missed)) <= 0) {
      throw new IllegalArgumentException(
          "the lookback must exceed " + missed + " intervals of " + interval);
    }
  }

  /** How long a host may stay silent before it is named. */
  public Duration threshold() {
    return interval.multipliedBy(missed);
  }

  /** The {@code _search} body: see the class comment for how to read its answer. */
  public ObjectNode searchBody() {
    ObjectNode body = JsonResources.JSON.createObjectNode();
    body.put("size", 0);
    body.put("track_total_hits", false);
    ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
    filter.addObject().putObject("term").put("event_name", EVENT_NAME);
    filter
        .addObject()
        .putObject("range")
        .putObject(TIME_FIELD)
        .put("gte", "now-" + dateMath(lookback));

    ObjectNode aggs = body.putObject("aggs");
    ObjectNode terms =
        aggs.putObject("hosts").putObject("terms").put("field", HOST_FIELD).put("size", MAX_HOSTS);
    // silent hosts first on every shard (they have no recent record anywhere), so a fleet larger
    // than MAX_HOSTS still has them in the buckets; then the longest silent
    terms
        .putArray("order")
        .add(JsonResources.JSON.createObjectNode().put("recent", "asc"))
        .add(JsonResources.JSON.createObjectNode().put("last_seen", "asc"));
    ObjectNode perHost = ((ObjectNode) aggs.get("hosts")).putObject("aggs");
    perHost.putObject("last_seen").putObject("max").put("field", TIME_FIELD);
    perHost
        .putObject("recent")
        .putObject("filter")
        .putObject("range")
        .putObject(TIME_FIELD)
        .put("gte", "now-" + dateMath(threshold()));
    aggs.putObject("silent").putObject("min_bucket").put("buckets_path", "hosts>recent>_count");
    return body;
  }

  /**
   * The hosts a {@link #searchBody()} answer names, oldest last record first; none when no host is
   * silent.
   */
  public static List<String> silentHosts(JsonNode searchResponse) {
    JsonNode silent = searchResponse.at("/aggregations/silent");
    List<String> hosts = new ArrayList<>();
    // min_bucket lists every host tied at the minimum: they are silent only when it is zero
    if (silent.path("value").isNumber() && silent.path("value").asDouble() == 0) {
      silent.path("keys").forEach(k -> hosts.add(k.asText()));
    }
    return hosts;
  }

  /**
   * The same condition in ES|QL. Kibana adds the lookback itself, as a range filter on {@link
   * #TIME_FIELD} over the rule's time window; run by hand, add {@code | WHERE @timestamp > NOW() -
   * 7 days} after the FROM.
   */
  public String esql() {
    return "FROM "
        + INDEX_PATTERN
        + " | WHERE event_name == \""
        + EVENT_NAME
        + "\""
        + " | STATS last_seen = MAX("
        + TIME_FIELD
        + ") BY "
        + HOST_FIELD
        + " | WHERE last_seen < NOW() - "
        + timeSpan(threshold())
        + " | SORT last_seen ASC"
        + " | LIMIT "
        + MAX_HOSTS;
  }

  /**
   * The rule, as {@code POST /api/alerting/rule/{id}} takes it: rule type {@code .es-query}, {@code
   * searchType: esqlQuery}, {@code groupBy: row} (one alert per silent host, its id the host name
   * from the STATS … BY; Kibana 8.19 and 9.1 or newer), checked every interval. No actions:
   * connectors are each site's own; the alerts show in Kibana's Alerts and Rules pages.
   */
  public ObjectNode kibanaRule() {
    ObjectNode rule = JsonResources.JSON.createObjectNode();
    rule.put("name", RULE_NAME);
    rule.putArray("tags").add("ksec").add("tampering").add("dead-man");
    rule.put("rule_type_id", ".es-query");
    rule.put("consumer", "stackAlerts");
    rule.putObject("schedule").put("interval", dateMath(interval));
    rule.put("enabled", true);
    rule.putArray("actions");
    ObjectNode params = rule.putObject("params");
    params.put("searchType", "esqlQuery");
    params.putObject("esqlQuery").put("esql", esql());
    params.put("timeField", TIME_FIELD);
    // the time window is the lookback: a host silent for longer drops out, and its alert recovers
    String window = dateMath(lookback);
    params.put("timeWindowSize", Long.parseLong(window.substring(0, window.length() - 1)));
    params.put(
        "timeWindowUnit",
        window.substring(window.length() - 1)); // Kibana's units are date math's: s, m, h, d
    params.put("groupBy", "row");
    params.put("size", 100);
    // what Kibana requires of an ES|QL rule: an alert when the query returns rows
    params.putArray("threshold").add(0);
    params.put("thresholdComparator", ">");
    params.put("excludeHitsFromPreviousRun", false);
    return rule;
  }

  /**
   * {@code 7d}, {@code 3m}, {@code 90s}: the largest unit that divides it, as date math and people
   * write it.
   */
  static String dateMath(Duration d) {
    long s = d.toSeconds();
    return s % 86_400 == 0
        ? s / 86_400 + "d"
        : s % 3_600 == 0 ? s / 3_600 + "h" : s % 60 == 0 ? s / 60 + "m" : s + "s";
  }

  /** The same as an ES|QL time span literal: {@code 3 minutes}. */
  static String timeSpan(Duration d) {
    String math = dateMath(d);
    long n = Long.parseLong(math.substring(0, math.length() - 1));
    String unit =
        switch (math.charAt(math.length() - 1)) {
          case 'd' -> "day";
          case 'h' -> "hour";
          case 'm' -> "minute";
          default -> "second";
        };
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  /** A generated file's text: pretty-printed, with a final newline. */
  static String pretty(JsonNode node) {
    try {
      return JsonResources.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
