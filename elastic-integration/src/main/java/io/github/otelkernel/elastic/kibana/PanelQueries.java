package io.github.otelkernel.elastic.kibana;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The Elasticsearch search behind every dashboard panel, from the same {@link Dashboards}
 * definitions as the NDJSON: the panel's filter as query DSL (the Lens panel stores it as KQL), the
 * dashboard's default time range on {@code @timestamp}, and the panel's aggregation — terms per
 * bucket in the panel's nesting order (ascending by count for the "rare" panels, with a {@code
 * missing} bucket where the panel keeps documents without the field), a date histogram for the
 * charts over time, and the panel's metrics (count is each bucket's {@code doc_count}).
 *
 * <p>Run them against a cluster filled with real agent events to check that every panel has
 * something to show: {@code POST /<indexPattern>/_search} with {@link PanelQuery#body()}. Lens
 * computes its date histogram interval from the time range; here it is fixed ({@link #INTERVAL})
 * for the default 24 hours.
 */
public final class PanelQueries {
  /** The histogram interval of the charts over time: 48 buckets over the default 24 hours. */
  public static final String INTERVAL = "30m";

  /** The value Lens uses for the "missing" bucket of keyword terms. */
  public static final String MISSING = "__missing__";

  private PanelQueries() {}

  /**
   * @param kql the same filter as the Lens panel stores it ({@code ""}: every document)
   * @param body the search request body: size 0, the query, the aggregations
   */
  public record PanelQuery(
      String dashboard,
      String panel,
      String indexPattern,
      String timeField,
      String kql,
      ObjectNode body) {
    @Override
    public String toString() {
      return dashboard
          + " / "
          + panel
          + ": POST /"
          + indexPattern
          + "/_search "
          + SavedObjects.write(body);
    }
  }

  /** Every panel of every dashboard, in dashboard and panel order. */
  public static List<PanelQuery> all() {
    List<PanelQuery> queries = new ArrayList<>();
    for (Dashboard dashboard : Dashboards.all()) {
      for (Panel panel : dashboard.panels()) {
        queries.add(of(dashboard, panel));
      }
    }
    return queries;
  }

  public static PanelQuery of(Dashboard dashboard, Panel panel) {
    ObjectNode body =
        SavedObjects.JSON.createObjectNode().put("size", 0).put("track_total_hits", true);
    ArrayNode filter = body.putObject("query").putObject("bool").putArray("filter");
    filter
        .addObject()
        .putObject("range")
        .putObject(Field.TIMESTAMP.name())
        .put("gte", dashboard.timeFrom())
        .put("lte", "now");
    if (panel.filter() != null) {
      filter.add(panel.filter().dsl());
    }
    ObjectNode aggs = body.putObject("aggs");
    Panel.Metric first = panel.metrics().get(0);
    for (int i = 0; i < panel.buckets().size(); i++) {
      ObjectNode bucket = aggs.putObject("b" + i);
      bucket.set("terms", terms(panel, panel.buckets().get(i)));
      aggs = bucket.putObject("aggs");
      if (first.op() != Panel.Metric.Op.COUNT) {
        // terms ordered by a metric need it as their own child (the order path cannot cross the
        // histogram or the next terms); the innermost level gets it again below
        metric(aggs, "m0", first);
      }
    }
    if (panel.chart() == Panel.Chart.OVER_TIME) {
      ObjectNode time = aggs.putObject("time");
      time.putObject("date_histogram")
          .put("field", Field.TIMESTAMP.name())
          .put("fixed_interval", INTERVAL)
          .put("min_doc_count", 0)
          .putObject("extended_bounds")
          .put("min", dashboard.timeFrom())
          .put("max", "now");
      aggs = time.putObject("aggs");
    }
    for (int i = 0; i < panel.metrics().size(); i++) {
      metric(aggs, "m" + i, panel.metrics().get(i));
    }
    removeEmptyAggs(body);
    return new PanelQuery(
        dashboard.title(),
        panel.title(),
        Dashboards.INDEX_PATTERN,
        Field.TIMESTAMP.name(),
        panel.kql(),
        body);
  }

  /** A metric column's sub-aggregation; count needs none (each bucket's doc_count). */
  private static void metric(ObjectNode aggs, String name, Panel.Metric metric) {
    if (metric.op() != Panel.Metric.Op.COUNT) {
      aggs.putObject(name)
          .putObject(metric.op().name().toLowerCase(java.util.Locale.ROOT))
          .put("field", metric.field().name());
    }
  }

  private static ObjectNode terms(Panel panel, Panel.Bucket bucket) {
    ObjectNode terms =
        SavedObjects.JSON
            .createObjectNode()
            .put("field", bucket.field().name())
            .put("size", bucket.size());
    // ordered by the first metric, as the Lens column is: doc count, or the metric's
    // sub-aggregation
    Panel.Metric first = panel.metrics().get(0);
    String direction = bucket.ascending() ? "asc" : "desc";
    terms.putObject("order").put(first.op() == Panel.Metric.Op.COUNT ? "_count" : "m0", direction);
    if (bucket.missing()) {
      if (bucket.field().kind() != Field.Kind.KEYWORD) {
        throw new IllegalStateException(
            panel.title() + ": a missing bucket on " + bucket.field().name() + ", not a keyword");
      }
      terms.put("missing", MISSING);
    }
    return terms;
  }

  /** Drops the {@code aggs} objects left empty at the innermost level. */
  private static void removeEmptyAggs(ObjectNode node) {
    for (var it = node.properties().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (entry.getValue() instanceof ObjectNode child) {
        if (entry.getKey().equals("aggs") && child.isEmpty()) {
          it.remove();
        } else {
          removeEmptyAggs(child);
        }
      }
    }
  }
}
