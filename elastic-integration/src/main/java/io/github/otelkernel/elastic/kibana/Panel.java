package io.github.otelkernel.elastic.kibana;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * One Lens panel, as little as says what it shows: which documents ({@link Filter}), how they are
 * split ({@link Bucket}s, in nesting order) and what is counted ({@link Metric}s). {@link
 * SavedObjects} turns it into a Lens saved object, {@link PanelQueries} into the Elasticsearch
 * query behind it.
 *
 * @param filter null for every document
 * @param width of Kibana's 48 grid columns
 */
public record Panel(
    String title,
    Chart chart,
    Filter filter,
    List<Bucket> buckets,
    List<Metric> metrics,
    int width) {
  public enum Chart {
    /** Stacked bars over {@code @timestamp}, split by the one bucket if there is one. */
    OVER_TIME,
    /** Horizontal bars, one per value of the one bucket. */
    BARS,
    /** A table: one column per bucket (nested), then the metrics. */
    TABLE
  }

  /**
   * Terms of a field: the {@code size} most frequent values, or the least frequent ({@code
   * ascending}, the "rare" panels); {@code missing} keeps documents without the field as their own
   * row.
   */
  public record Bucket(Field field, int size, boolean ascending, boolean missing) {
    public Bucket orMissing() {
      return new Bucket(field, size, ascending, true);
    }
  }

  public record Metric(Op op, Field field, String label) {
    public enum Op {
      COUNT,
      SUM,
      MAX
    }
  }

  public Panel {
    Objects.requireNonNull(title);
    buckets = List.copyOf(buckets);
    metrics = List.copyOf(metrics);
    if (metrics.isEmpty()
        || (chart != Chart.TABLE && buckets.size() > 1)
        || (chart == Chart.BARS && buckets.isEmpty())) {
      throw new IllegalArgumentException(
          title
              + ": "
              + chart
              + " with "
              + buckets.size()
              + " buckets and "
              + metrics.size()
              + " metrics");
    }
  }

  public static Bucket top(Field field, int size) {
    return new Bucket(field, size, false, false);
  }

  public static Bucket rare(Field field, int size) {
    return new Bucket(field, size, true, false);
  }

  public static Metric count(String label) {
    return new Metric(Metric.Op.COUNT, null, label);
  }

  public static Metric sum(Field field, String label) {
    return new Metric(Metric.Op.SUM, field, label);
  }

  public static Metric max(Field field, String label) {
    return new Metric(Metric.Op.MAX, field, label);
  }

  /** Events over time, stacked by a breakdown (or null). */
  public static Panel overTime(String title, Filter filter, Bucket breakdown) {
    return overTime(title, filter, breakdown, count("Events"));
  }

  public static Panel overTime(String title, Filter filter, Bucket breakdown, Metric metric) {
    return new Panel(
        title,
        Chart.OVER_TIME,
        filter,
        breakdown == null ? List.of() : List.of(breakdown),
        List.of(metric),
        24);
  }

  public static Panel bars(String title, Filter filter, Bucket bucket) {
    return new Panel(title, Chart.BARS, filter, List.of(bucket), List.of(count("Events")), 24);
  }

  public static Panel table(String title, Filter filter, List<Bucket> buckets, Metric... metrics) {
    List<Metric> all = new ArrayList<>(List.of(metrics));
    if (all.isEmpty()) {
      all.add(count("Events"));
    }
    return new Panel(title, Chart.TABLE, filter, buckets, all, 24);
  }

  public Panel wide() {
    return new Panel(title, chart, filter, buckets, metrics, 48);
  }

  /**
   * Every field the panel reads, with whether it aggregates on it (buckets, metrics) or only
   * filters.
   */
  public Stream<Field> aggregatedFields() {
    Stream<Field> time = chart == Chart.OVER_TIME ? Stream.of(Field.TIMESTAMP) : Stream.empty();
    return Stream.concat(
        time,
        Stream.concat(
            buckets.stream().map(Bucket::field),
            metrics.stream().map(Metric::field).filter(Objects::nonNull)));
  }

  public Stream<Field> filteredFields() {
    return filter == null ? Stream.empty() : filter.fields();
  }

  /** The saved object id's last part: the title in lower case, words joined by '-'. */
  public String slug() {
    return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
  }

  /** The KQL the panel stores ({@code ""} for every document). */
  public String kql() {
    return filter == null ? "" : filter.kql();
  }
}
