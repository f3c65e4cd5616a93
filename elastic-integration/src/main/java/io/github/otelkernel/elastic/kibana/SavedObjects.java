package io.github.otelkernel.elastic.kibana;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The Kibana saved objects of a {@link Dashboard}, one NDJSON line each, as the saved objects
 * import API takes them: the data view, the markdown guide, one Lens visualization per panel (by
 * reference, each naming the data view in its {@code references}), and the dashboard with its
 * controls and time range. The format is Kibana 8.8's ({@code coreMigrationVersion 8.8.0}, Lens
 * {@code formBased} state): Kibana 8.8 and newer, 9.x included, migrate it on import.
 *
 * <p>{@code main} writes {@code <id>.ndjson} per dashboard into a directory (the repository's
 * {@code dashboards/}); the build packages those files as {@code kibana/*.ndjson}.
 */
public final class SavedObjects {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String CORE_MIGRATION_VERSION = "8.8.0";
  static final String LAYER = "layer";
  private static final int GRID_COLUMNS = 48;

  private SavedObjects() {}

  /**
   * The NDJSON file of one dashboard: every object it needs, the data view first, the dashboard
   * last.
   */
  public static String ndjson(Dashboard dashboard) {
    StringBuilder out = new StringBuilder();
    for (ObjectNode object : objects(dashboard)) {
      out.append(write(object)).append('\n');
    }
    return out.toString();
  }

  public static String fileName(Dashboard dashboard) {
    return dashboard.id() + ".ndjson";
  }

  public static List<ObjectNode> objects(Dashboard dashboard) {
    List<ObjectNode> objects = new ArrayList<>();
    objects.add(dataView());
    objects.add(guide(dashboard));
    dashboard.panels().forEach(p -> objects.add(lens(dashboard, p)));
    objects.add(dashboardObject(dashboard));
    return objects;
  }

  /** The data view over every ksec data stream, whatever its dataset and namespace. */
  static ObjectNode dataView() {
    ObjectNode attributes =
        JSON.createObjectNode()
            .put("title", Dashboards.INDEX_PATTERN)
            .put("name", "Kernel security events (" + Dashboards.INDEX_PATTERN + ")")
            .put("timeFieldName", Field.TIMESTAMP.name())
            .put(
                "allowNoIndex",
                true) // the data view may be imported before the first event arrives
            .put("fields", "[]")
            .put("fieldFormatMap", "{}")
            .put("runtimeFieldMap", "{}")
            .put("sourceFilters", "[]")
            .put("typeMeta", "{}");
    return savedObject(
        "index-pattern", Dashboards.DATA_VIEW_ID, attributes, JSON.createArrayNode(), "7.11.0");
  }

  /** The "how to read it" panel: a markdown visualization. */
  static ObjectNode guide(Dashboard dashboard) {
    ObjectNode visState =
        JSON.createObjectNode()
            .put("title", dashboard.title() + ": how to read it")
            .put("type", "markdown");
    visState.putArray("aggs");
    visState
        .putObject("params")
        .put("fontSize", 12)
        .put("openLinksInNewTab", false)
        .put("markdown", dashboard.guide());
    ObjectNode attributes =
        JSON.createObjectNode()
            .put("title", dashboard.title() + ": how to read it")
            .put("description", "")
            .put("visState", write(visState))
            .put("uiStateJSON", "{}")
            .put("version", 1);
    attributes
        .putObject("kibanaSavedObjectMeta")
        .put("searchSourceJSON", write(emptySearchSource()));
    return savedObject(
        "visualization", dashboard.guideId(), attributes, JSON.createArrayNode(), "7.14.0");
  }

  /** One panel as a Lens visualization over the data view. */
  static ObjectNode lens(Dashboard dashboard, Panel panel) {
    ObjectNode columns = JSON.createObjectNode();
    ArrayNode order = JSON.createArrayNode();
    String firstMetric = "m0";
    for (int i = 0; i < panel.buckets().size(); i++) {
      Panel.Bucket bucket = panel.buckets().get(i);
      columns.set("b" + i, termsColumn(bucket, firstMetric));
      order.add("b" + i);
    }
    if (panel.chart() == Panel.Chart.OVER_TIME) {
      columns.set("time", dateHistogramColumn());
      order.add("time");
    }
    for (int i = 0; i < panel.metrics().size(); i++) {
      columns.set("m" + i, metricColumn(panel.metrics().get(i)));
      order.add("m" + i);
    }
    ObjectNode layer = JSON.createObjectNode();
    layer.set("columns", columns);
    layer.set("columnOrder", order);
    layer.putObject("incompleteColumns");

    ObjectNode state = JSON.createObjectNode();
    state.set("visualization", visualization(panel));
    state.putObject("query").put("query", panel.kql()).put("language", "kuery");
    state.putArray("filters");
    state
        .putObject("datasourceStates")
        .putObject("formBased")
        .putObject("layers")
        .set(LAYER, layer);
    state.putArray("internalReferences");
    state.putObject("adHocDataViews");

    ObjectNode attributes =
        JSON.createObjectNode()
            .put("title", panel.title())
            .put("description", panel.kql().isEmpty() ? "" : "Query: " + panel.kql())
            .put(
                "visualizationType", panel.chart() == Panel.Chart.TABLE ? "lnsDatatable" : "lnsXY");
    attributes.set("state", state);
    ArrayNode references = JSON.createArrayNode();
    references.add(
        reference(
            "index-pattern",
            Dashboards.DATA_VIEW_ID,
            "indexpattern-datasource-current-indexpattern"));
    references.add(
        reference(
            "index-pattern", Dashboards.DATA_VIEW_ID, "indexpattern-datasource-layer-" + LAYER));
    return savedObject("lens", dashboard.lensId(panel), attributes, references, "8.6.0");
  }

  private static ObjectNode termsColumn(Panel.Bucket bucket, String orderByColumn) {
    ObjectNode column =
        JSON.createObjectNode()
            .put("label", bucket.field().shortName())
            .put("customLabel", true)
            .put("dataType", bucket.field().kind().lensType())
            .put("operationType", "terms")
            .put("sourceField", bucket.field().name())
            .put("isBucketed", true)
            .put("scale", "ordinal");
    ObjectNode params = column.putObject("params").put("size", bucket.size());
    params.putObject("orderBy").put("type", "column").put("columnId", orderByColumn);
    params
        .put("orderDirection", bucket.ascending() ? "asc" : "desc")
        .put("otherBucket", false)
        .put("missingBucket", bucket.missing());
    params.putObject("parentFormat").put("id", "terms");
    return column;
  }

  private static ObjectNode dateHistogramColumn() {
    ObjectNode column =
        JSON.createObjectNode()
            .put("label", Field.TIMESTAMP.name())
            .put("dataType", "date")
            .put("operationType", "date_histogram")
            .put("sourceField", Field.TIMESTAMP.name())
            .put("isBucketed", true)
            .put("scale", "interval");
    column
        .putObject("params")
        .put("interval", "auto")
        .put("includeEmptyRows", true)
        .put("dropPartials", false);
    return column;
  }

  private static ObjectNode metricColumn(Panel.Metric metric) {
    ObjectNode column =
        JSON.createObjectNode().put("label", metric.label()).put("customLabel", true);
    switch (metric.op()) {
      case COUNT ->
          column
              .put("dataType", "number")
              .put("operationType", "count")
              .put("sourceField", "___records___");
      case SUM ->
          column
              .put("dataType", "number")
              .put("operationType", "sum")
              .put("sourceField", metric.field().name());
      case MAX ->
          column
              .put("dataType", metric.field().kind().lensType())
              .put("operationType", "max")
              .put("sourceField", metric.field().name());
    }
    column.put("isBucketed", false).put("scale", "ratio");
    column.putObject("params").put("emptyAsNull", metric.op() != Panel.Metric.Op.COUNT);
    return column;
  }

  private static ObjectNode visualization(Panel panel) {
    ObjectNode visualization = JSON.createObjectNode();
    if (panel.chart() == Panel.Chart.TABLE) {
      visualization.put("layerId", LAYER).put("layerType", "data");
      ArrayNode columns = visualization.putArray("columns");
      for (int i = 0; i < panel.buckets().size(); i++) {
        columns.addObject().put("columnId", "b" + i).put("isTransposed", false);
      }
      for (int i = 0; i < panel.metrics().size(); i++) {
        columns.addObject().put("columnId", "m" + i).put("isTransposed", false);
      }
      return visualization;
    }
    boolean overTime = panel.chart() == Panel.Chart.OVER_TIME;
    String series = overTime ? "bar_stacked" : "bar_horizontal";
    visualization
        .putObject("legend")
        .put("isVisible", overTime && !panel.buckets().isEmpty())
        .put("position", "right");
    visualization
        .put("valueLabels", overTime ? "hide" : "show")
        .put("fittingFunction", "None")
        .put("preferredSeriesType", series);
    visualization
        .putObject("axisTitlesVisibilitySettings")
        .put("x", false)
        .put("yLeft", true)
        .put("yRight", true);
    ObjectNode layer =
        visualization
            .putArray("layers")
            .addObject()
            .put("layerId", LAYER)
            .put("layerType", "data")
            .put("seriesType", series)
            .put("xAccessor", overTime ? "time" : "b0");
    layer.putArray("accessors").add("m0");
    if (overTime && !panel.buckets().isEmpty()) {
      layer.put("splitAccessor", "b0");
    }
    return visualization;
  }

  /** The dashboard: the guide across the top, the panels two by two, controls and time range. */
  static ObjectNode dashboardObject(Dashboard dashboard) {
    ArrayNode panels = JSON.createArrayNode();
    ArrayNode references = JSON.createArrayNode();
    int guideHeight = 4 + (int) dashboard.guide().lines().mapToInt(l -> 1 + l.length() / 200).sum();
    addPanel(
        panels,
        references,
        "guide",
        "visualization",
        dashboard.guideId(),
        0,
        0,
        GRID_COLUMNS,
        guideHeight);

    int x = 0;
    int y = guideHeight;
    int rowHeight = 0;
    for (int i = 0; i < dashboard.panels().size(); i++) {
      Panel panel = dashboard.panels().get(i);
      int height =
          switch (panel.chart()) {
            case OVER_TIME -> 12;
            case BARS -> 14;
            case TABLE -> 16;
          };
      if (x + panel.width() > GRID_COLUMNS) {
        x = 0;
        y += rowHeight;
        rowHeight = 0;
      }
      addPanel(
          panels,
          references,
          "p" + i,
          "lens",
          dashboard.lensId(panel),
          x,
          y,
          panel.width(),
          height);
      x += panel.width();
      rowHeight = Math.max(rowHeight, height);
    }

    ObjectNode controls = JSON.createObjectNode();
    for (int i = 0; i < dashboard.controls().size(); i++) {
      Dashboard.Control control = dashboard.controls().get(i);
      String id = control.field().shortName().replaceAll("[^a-zA-Z0-9]+", "-");
      ObjectNode input =
          JSON.createObjectNode()
              .put("id", id)
              .put("fieldName", control.field().name())
              .put("title", control.label())
              .put("searchTechnique", "prefix");
      input.putArray("selectedOptions");
      input.putObject("enhancements");
      ObjectNode entry =
          controls
              .putObject(id)
              .put("order", i)
              .put("width", "medium")
              .put("grow", true)
              .put("type", "optionsListControl");
      entry.set("explicitInput", input);
      references.add(
          reference(
              "index-pattern",
              Dashboards.DATA_VIEW_ID,
              "controlGroup_" + id + ":optionsListDataView"));
    }
    ObjectNode controlGroup =
        JSON.createObjectNode()
            .put("controlStyle", "oneLine")
            .put("chainingSystem", "HIERARCHICAL")
            .put("panelsJSON", write(controls))
            .put(
                "ignoreParentSettingsJSON",
                "{\"ignoreFilters\":false,\"ignoreQuery\":false,\"ignoreTimerange\":false,\"ignoreValidations\":false}");

    ObjectNode attributes =
        JSON.createObjectNode()
            .put("title", dashboard.title())
            .put("description", dashboard.summary())
            .put("panelsJSON", write(panels))
            .put(
                "optionsJSON",
                "{\"useMargins\":true,\"syncColors\":false,\"syncCursor\":true,\"syncTooltips\":false,\"hidePanelTitles\":false}")
            .put("version", 1)
            .put("timeRestore", true)
            .put("timeFrom", dashboard.timeFrom())
            .put("timeTo", "now");
    attributes.putObject("refreshInterval").put("pause", true).put("value", 60000);
    attributes
        .putObject("kibanaSavedObjectMeta")
        .put("searchSourceJSON", write(emptySearchSource()));
    attributes.set("controlGroupInput", controlGroup);
    return savedObject("dashboard", dashboard.id(), attributes, references, "8.7.0");
  }

  private static void addPanel(
      ArrayNode panels,
      ArrayNode references,
      String index,
      String type,
      String id,
      int x,
      int y,
      int w,
      int h) {
    ObjectNode panel = panels.addObject().put("version", CORE_MIGRATION_VERSION).put("type", type);
    panel.putObject("gridData").put("x", x).put("y", y).put("w", w).put("h", h).put("i", index);
    panel.put("panelIndex", index);
    panel.putObject("embeddableConfig").putObject("enhancements");
    panel.put("panelRefName", "panel_" + index);
    references.add(reference(type, id, index + ":panel_" + index));
  }

  private static ObjectNode emptySearchSource() {
    ObjectNode source = JSON.createObjectNode();
    source.putObject("query").put("query", "").put("language", "kuery");
    source.putArray("filter");
    return source;
  }

  private static ObjectNode reference(String type, String id, String name) {
    return JSON.createObjectNode().put("type", type).put("id", id).put("name", name);
  }

  private static ObjectNode savedObject(
      String type,
      String id,
      ObjectNode attributes,
      ArrayNode references,
      String typeMigrationVersion) {
    ObjectNode object = JSON.createObjectNode().put("type", type).put("id", id);
    object.set("attributes", attributes);
    object.set("references", references);
    object
        .put("coreMigrationVersion", CORE_MIGRATION_VERSION)
        .put("typeMigrationVersion", typeMigrationVersion);
    return object;
  }

  static String write(Object node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes {@code <id>.ndjson} of every dashboard into the directory given (default:
   * ../dashboards).
   */
  public static void main(String[] args) throws IOException {
    Path directory = Path.of(args.length > 0 ? args[0] : "../dashboards");
    Files.createDirectories(directory);
    for (Dashboard dashboard : Dashboards.all()) {
      Path file = directory.resolve(fileName(dashboard));
      Files.writeString(file, ndjson(dashboard), StandardCharsets.UTF_8);
      System.out.println("wrote " + file);
    }
  }
}
