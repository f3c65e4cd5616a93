package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.otelkernel.elastic.kibana.Dashboard;
import io.github.otelkernel.elastic.kibana.Dashboards;
import io.github.otelkernel.elastic.kibana.Field;
import io.github.otelkernel.elastic.kibana.Filter;
import io.github.otelkernel.elastic.kibana.Panel;
import io.github.otelkernel.elastic.kibana.PanelQueries;
import io.github.otelkernel.elastic.kibana.PanelQueries.PanelQuery;
import io.github.otelkernel.elastic.kibana.SavedObjects;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kibana dashboards: the committed NDJSON is what {@link Dashboards} generates, every object is
 * a well-formed saved object whose references resolve, and every field a panel or control uses is
 * one the index template maps, with a type it can aggregate on. Kibana itself is not run here (no
 * Kibana on the build machines): the import is tested against a stand-in server in {@link
 * KibanaImportTest}.
 */
class KibanaDashboardsTest {
  /** The NDJSON's home, from this module's directory (the tests' working directory). */
  static final Path DASHBOARDS = Path.of("..", "dashboards");

  static final Set<String> AGGREGATABLE =
      Set.of(
          "keyword",
          "constant_keyword",
          "long",
          "integer",
          "short",
          "byte",
          "double",
          "ip",
          "boolean",
          "date",
          "date_nanos");

  static List<JsonNode> lines(String ndjson) throws IOException {
    List<JsonNode> objects = new ArrayList<>();
    for (String line : ndjson.split("\n")) {
      objects.add(JsonResources.JSON.readTree(line));
    }
    return objects;
  }

  static Map<String, String> committed() throws IOException {
    Map<String, String> files = new LinkedHashMap<>();
    for (Dashboard d : Dashboards.all()) {
      files.put(
          d.id(),
          Files.readString(DASHBOARDS.resolve(SavedObjects.fileName(d)), StandardCharsets.UTF_8));
    }
    return files;
  }

  /**
   * Every mapped field by its full dotted path: properties, passthrough objects, multi-fields,
   * aliases.
   */
  static Map<String, String> mappedTypes() {
    JsonNode root =
        new TemplateFactory(TemplateFactoryTest.CONVENTIONS, Set.of())
            .mappings()
            .at("/template/mappings/properties");
    Map<String, String> types = new LinkedHashMap<>();
    flatten(root, "", types);
    return types;
  }

  private static void flatten(JsonNode properties, String prefix, Map<String, String> out) {
    properties
        .properties()
        .forEach(
            e -> {
              String path = prefix + e.getKey();
              JsonNode field = e.getValue();
              if (field.has("type")) {
                out.put(path, field.get("type").asText());
              }
              if (field.has("properties")) {
                flatten(field.get("properties"), path + ".", out);
              }
              field
                  .path("fields")
                  .properties()
                  .forEach(
                      sub ->
                          out.put(path + "." + sub.getKey(), sub.getValue().path("type").asText()));
            });
  }

  @Test
  void theCommittedNdjsonIsWhatTheDefinitionsGenerate() throws IOException {
    boolean regenerate = Boolean.getBoolean("kibana.regenerate");
    List<String> stale = new ArrayList<>();
    for (Dashboard d : Dashboards.all()) {
      Path file = DASHBOARDS.resolve(SavedObjects.fileName(d));
      String generated = SavedObjects.ndjson(d);
      if (regenerate) {
        Files.writeString(file, generated, StandardCharsets.UTF_8);
      } else if (!Files.exists(file)
          || !Files.readString(file, StandardCharsets.UTF_8).equals(generated)) {
        stale.add(file.toString());
      }
    }
    assertEquals(
        List.of(),
        stale,
        "dashboards/ differs from io.github.otelkernel.elastic.kibana.Dashboards: regenerate with "
            + "mvn -o -pl elastic-integration test -Dtest=KibanaDashboardsTest -Dkibana.regenerate=true, review and commit");
    try (Stream<Path> files = Files.list(DASHBOARDS)) {
      Set<String> expected =
          new TreeSet<>(Dashboards.all().stream().map(SavedObjects::fileName).toList());
      Set<String> present =
          new TreeSet<>(
              files
                  .map(p -> p.getFileName().toString())
                  .filter(n -> n.endsWith(".ndjson"))
                  .toList());
      assertEquals(expected, present, "NDJSON in dashboards/ that no definition generates");
    }
  }

  @Test
  void theJarCarriesTheSameFiles() throws IOException {
    Map<String, String> committed = committed();
    for (Dashboard d : Dashboards.all()) {
      try (InputStream in = getClass().getResourceAsStream("/kibana/" + SavedObjects.fileName(d))) {
        assertNotNull(in, "kibana/" + SavedObjects.fileName(d) + " is not packaged");
        assertEquals(committed.get(d.id()), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void everyLineIsASavedObjectWithParsableEmbeddedJson() throws IOException {
    for (var file : committed().entrySet()) {
      assertTrue(
          file.getValue().endsWith("\n") && !file.getValue().contains("\n\n"), file.getKey());
      for (JsonNode object : lines(file.getValue())) {
        String what =
            file.getKey() + ": " + object.path("type").asText() + " " + object.path("id").asText();
        for (String key : List.of("type", "id", "coreMigrationVersion", "typeMigrationVersion")) {
          assertTrue(
              object.path(key).isTextual() && !object.path(key).asText().isEmpty(),
              what + " lacks " + key);
        }
        assertTrue(object.path("attributes").isObject(), what);
        assertTrue(object.path("references").isArray(), what);
        assertTrue(
            Set.of("index-pattern", "visualization", "lens", "dashboard")
                .contains(object.get("type").asText()),
            what);
        JsonNode attributes = object.get("attributes");
        assertFalse(attributes.path("title").asText().isEmpty(), what + " has no title");
        for (String embedded :
            List.of(
                "/panelsJSON",
                "/optionsJSON",
                "/visState",
                "/uiStateJSON",
                "/kibanaSavedObjectMeta/searchSourceJSON",
                "/controlGroupInput/panelsJSON",
                "/controlGroupInput/ignoreParentSettingsJSON",
                "/fields",
                "/fieldFormatMap",
                "/runtimeFieldMap")) {
          JsonNode value = attributes.at(embedded);
          if (!value.isMissingNode()) {
            assertTrue(value.isTextual(), what + embedded + " must be a JSON string");
            JsonResources.JSON.readTree(value.asText()); // throws if it does not parse
          }
        }
      }
    }
  }

  @Test
  void everyReferenceResolvesInItsOwnFile() throws IOException {
    for (var file : committed().entrySet()) {
      List<JsonNode> objects = lines(file.getValue());
      Set<String> present = new HashSet<>();
      objects.forEach(o -> present.add(o.get("type").asText() + "/" + o.get("id").asText()));
      assertEquals(objects.size(), present.size(), file.getKey() + ": an object twice");
      assertTrue(present.contains("index-pattern/" + Dashboards.DATA_VIEW_ID), file.getKey());
      for (JsonNode object : objects) {
        Set<String> names = new HashSet<>();
        for (JsonNode ref : object.get("references")) {
          String target = ref.get("type").asText() + "/" + ref.get("id").asText();
          assertTrue(
              present.contains(target),
              file.getKey() + ": " + object.get("id").asText() + " refers to missing " + target);
          assertTrue(names.add(ref.get("name").asText()), "reference name twice: " + ref);
        }
        switch (object.get("type").asText()) {
          case "lens" -> {
            JsonNode layers = object.at("/attributes/state/datasourceStates/formBased/layers");
            assertFalse(layers.isEmpty(), object.get("id").asText());
            layers
                .properties()
                .forEach(
                    layer ->
                        assertTrue(
                            names.contains("indexpattern-datasource-layer-" + layer.getKey()),
                            object.get("id") + " layer " + layer.getKey()));
          }
          case "dashboard" -> {
            JsonNode attributes = object.get("attributes");
            for (JsonNode panel :
                JsonResources.JSON.readTree(attributes.get("panelsJSON").asText())) {
              String name =
                  panel.get("panelIndex").asText() + ":" + panel.get("panelRefName").asText();
              assertTrue(names.contains(name), "panel " + name + " of " + object.get("id"));
              assertEquals(panel.get("panelIndex").asText(), panel.at("/gridData/i").asText());
            }
            JsonResources.JSON
                .readTree(attributes.at("/controlGroupInput/panelsJSON").asText())
                .properties()
                .forEach(
                    c ->
                        assertTrue(
                            names.contains("controlGroup_" + c.getKey() + ":optionsListDataView"),
                            "control " + c.getKey()));
          }
          default -> {}
        }
      }
    }
  }

  @Test
  void sixDashboardsEachWithControlsATimeDefaultAndAGuide() throws IOException {
    assertEquals(6, Dashboards.all().size());
    Set<String> titles = new HashSet<>();
    for (var file : committed().entrySet()) {
      List<JsonNode> objects = lines(file.getValue());
      JsonNode dashboard = objects.getLast();
      assertEquals(
          "dashboard",
          dashboard.get("type").asText(),
          file.getKey() + ": the dashboard comes last");
      JsonNode attributes = dashboard.get("attributes");
      titles.add(attributes.get("title").asText());
      assertTrue(attributes.get("timeRestore").asBoolean(), file.getKey());
      assertEquals("now-24h", attributes.get("timeFrom").asText());
      assertEquals("now", attributes.get("timeTo").asText());

      Set<String> controlFields = new HashSet<>();
      JsonResources.JSON
          .readTree(attributes.at("/controlGroupInput/panelsJSON").asText())
          .forEach(
              c -> {
                assertEquals("optionsListControl", c.get("type").asText());
                controlFields.add(c.at("/explicitInput/fieldName").asText());
              });
      assertTrue(
          controlFields.contains("resource.attributes.host.name"),
          file.getKey() + " " + controlFields);
      assertTrue(
          controlFields.contains("attributes.process.user.name"),
          file.getKey() + " " + controlFields);
      assertTrue(
          controlFields.contains("attributes.process.executable.path")
              || controlFields.contains("attributes.process.executable.name"),
          file.getKey() + " " + controlFields);

      // the first panel, at the top left, is the markdown guide
      JsonNode first = JsonResources.JSON.readTree(attributes.get("panelsJSON").asText()).get(0);
      assertEquals(0, first.at("/gridData/y").asInt());
      assertEquals("visualization", first.get("type").asText());
      JsonNode guide =
          objects.stream()
              .filter(o -> o.get("type").asText().equals("visualization"))
              .findFirst()
              .orElseThrow();
      JsonNode visState = JsonResources.JSON.readTree(guide.at("/attributes/visState").asText());
      assertEquals("markdown", visState.get("type").asText());
      assertTrue(
          visState.at("/params/markdown").asText().length() > 300,
          file.getKey() + ": a real guide");
      assertTrue(
          JsonResources.JSON.readTree(attributes.get("panelsJSON").asText()).size() >= 5,
          file.getKey());
    }
    assertEquals(6, titles.size());
    String health = committed().get("ksec-agent-health");
    assertTrue(
        health.contains("ksec.agent.events.lost.kernel"),
        "the health dashboard charts the agents' losses");
    assertTrue(health.contains("agent.health"), "from the agent.health records");
  }

  @Test
  void everyFieldIsMappedWithTheTypeThePanelExpects() throws IOException {
    Map<String, String> types = mappedTypes();
    Map<Field.Kind, Set<String>> kinds =
        Map.of(
            Field.Kind.KEYWORD,
            Set.of("keyword", "constant_keyword"),
            Field.Kind.NUMBER,
            Set.of("long", "integer", "short", "byte", "double"),
            Field.Kind.IP,
            Set.of("ip"),
            Field.Kind.BOOLEAN,
            Set.of("boolean"),
            Field.Kind.DATE,
            Set.of("date", "date_nanos"));
    List<String> wrong = new ArrayList<>();
    for (Dashboard d : Dashboards.all()) {
      Stream<Field> controls = d.controls().stream().map(Dashboard.Control::field);
      Stream<Field> used =
          Stream.concat(
              controls,
              d.panels().stream()
                  .flatMap(p -> Stream.concat(p.aggregatedFields(), p.filteredFields())));
      used.forEach(
          f -> {
            String type = types.get(f.name());
            if (type == null || !kinds.get(f.kind()).contains(type)) {
              wrong.add(
                  d.id() + ": " + f.name() + " is " + type + ", the panel expects " + f.kind());
            }
          });
    }
    // and what the NDJSON itself names, in case the generator ever writes a field the definitions
    // do not declare
    for (var file : committed().entrySet()) {
      for (JsonNode object : lines(file.getValue())) {
        object
            .at("/attributes/state/datasourceStates/formBased/layers")
            .forEach(
                layer ->
                    layer
                        .get("columns")
                        .forEach(
                            c -> {
                              String field = c.path("sourceField").asText();
                              if (!field.equals("___records___")
                                  && !AGGREGATABLE.contains(
                                      types.getOrDefault(field, "unmapped"))) {
                                wrong.add(
                                    file.getKey()
                                        + ": column on "
                                        + field
                                        + " ("
                                        + types.get(field)
                                        + ")");
                              }
                            }));
        if (object.get("type").asText().equals("dashboard")) {
          JsonResources.JSON
              .readTree(object.at("/attributes/controlGroupInput/panelsJSON").asText())
              .forEach(
                  c -> {
                    String field = c.at("/explicitInput/fieldName").asText();
                    if (!Set.of("keyword", "constant_keyword")
                        .contains(types.getOrDefault(field, "unmapped"))) {
                      wrong.add(
                          file.getKey() + ": control on " + field + " (" + types.get(field) + ")");
                    }
                  });
        }
      }
    }
    assertEquals(List.of(), wrong);
  }

  @Test
  void everyPanelHasItsElasticsearchQuery() {
    List<PanelQuery> queries = PanelQueries.all();
    assertEquals(Dashboards.all().stream().mapToInt(d -> d.panels().size()).sum(), queries.size());
    Set<String> names = new HashSet<>();
    for (PanelQuery q : queries) {
      assertTrue(
          names.add(q.dashboard() + "/" + q.panel()),
          "panel titles are unique per dashboard: " + q);
      assertEquals("logs-ksec.*", q.indexPattern());
      assertEquals("@timestamp", q.timeField());
      JsonNode filter = q.body().at("/query/bool/filter");
      assertEquals("now-24h", filter.at("/0/range/@timestamp/gte").asText(), q.toString());
      assertEquals(q.kql().isEmpty() ? 1 : 2, filter.size(), q.toString());
      assertTrue(q.body().path("aggs").isObject() && !q.body().get("aggs").isEmpty(), q.toString());
      assertEquals(0, q.body().get("size").asInt());
      assertOrderPathsAreDirectChildren(q.body().get("aggs"), q);
    }
    PanelQuery dns =
        queries.stream().filter(q -> q.panel().startsWith("DNS")).findFirst().orElseThrow();
    assertEquals(
        53,
        dns.body()
            .at("/query/bool/filter/1/bool/filter/1/term/attributes.destination.port")
            .asInt(),
        dns.toString());
    assertEquals(
        "attributes.process.executable.name", dns.body().at("/aggs/b0/terms/field").asText());
    assertEquals(
        "attributes.destination.address", dns.body().at("/aggs/b0/aggs/b1/terms/field").asText());

    PanelQuery rare =
        queries.stream()
            .filter(q -> q.panel().equals("Rare executables"))
            .findFirst()
            .orElseThrow();
    assertEquals("asc", rare.body().at("/aggs/b0/terms/order/_count").asText(), rare.toString());
    assertEquals("process.exec", rare.body().at("/query/bool/filter/1/term/event_name").asText());

    PanelQuery byCategory =
        queries.stream()
            .filter(q -> q.panel().equals("Events over time by category"))
            .findFirst()
            .orElseThrow();
    assertEquals(PanelQueries.MISSING, byCategory.body().at("/aggs/b0/terms/missing").asText());
    assertEquals(
        "30m", byCategory.body().at("/aggs/b0/aggs/time/date_histogram/fixed_interval").asText());

    PanelQuery merged =
        queries.stream()
            .filter(q -> q.panel().equals("Merged repeats over time"))
            .findFirst()
            .orElseThrow();
    assertEquals(
        "attributes.ksec.event.count",
        merged.body().at("/aggs/b0/aggs/time/aggs/m0/sum/field").asText(),
        merged.toString());
    assertEquals("desc", merged.body().at("/aggs/b0/terms/order/m0").asText());
    // ordered by a metric: the metric is the terms' own child, not only inside the histogram
    assertEquals(
        "attributes.ksec.event.count",
        merged.body().at("/aggs/b0/aggs/m0/sum/field").asText(),
        merged.toString());

    // the panel stores the same filter as KQL
    Dashboard process = Dashboards.all().get(1);
    Panel panel = process.panels().get(1);
    assertEquals(PanelQueries.of(process, panel).kql(), panel.kql());
  }

  /** Elasticsearch rejects a terms order naming a sub-aggregation that is not its direct child. */
  private static void assertOrderPathsAreDirectChildren(JsonNode aggs, PanelQuery q) {
    aggs.properties()
        .forEach(
            e -> {
              JsonNode agg = e.getValue();
              agg.at("/terms/order")
                  .fieldNames()
                  .forEachRemaining(
                      key -> {
                        if (!key.startsWith("_")) {
                          assertTrue(
                              agg.at("/aggs/" + key).isObject(),
                              q + ": order by " + key + " which is not a child of " + e.getKey());
                        }
                      });
              if (agg.has("aggs")) {
                assertOrderPathsAreDirectChildren(agg.get("aggs"), q);
              }
            });
  }

  @Test
  void filtersMeanTheSameInKqlAndDsl() {
    Field path = new Field("attributes.file.path", Field.Kind.KEYWORD);
    Field port = new Field("attributes.destination.port", Field.Kind.NUMBER);
    Filter f =
        new Filter.All(
            List.of(
                new Filter.Is(Field.EVENT_NAME, List.of("file.unlink", "file.truncate")),
                new Filter.Any(
                    List.of(
                        new Filter.Prefix(path, "/var/log/"),
                        new Filter.Wildcard(path, "/home/*/.ssh/*"))),
                new Filter.Not(new Filter.Is(port, List.of(53))),
                new Filter.Exists(path)));
    assertEquals(
        "(event_name : (\"file.unlink\" or \"file.truncate\")) and ((attributes.file.path : /var/log/*) or "
            + "(attributes.file.path : /home/*/.ssh/*)) and (not (attributes.destination.port : 53)) and (attributes.file.path : *)",
        f.kql());
    assertEquals(
        "{\"bool\":{\"filter\":[{\"terms\":{\"event_name\":[\"file.unlink\",\"file.truncate\"]}},"
            + "{\"bool\":{\"should\":[{\"prefix\":{\"attributes.file.path\":\"/var/log/\"}},"
            + "{\"wildcard\":{\"attributes.file.path\":{\"value\":\"/home/*/.ssh/*\"}}}],\"minimum_should_match\":1}},"
            + "{\"bool\":{\"must_not\":[{\"term\":{\"attributes.destination.port\":53}}]}},"
            + "{\"exists\":{\"field\":\"attributes.file.path\"}}]}}",
        f.dsl().toString());
    // KQL specials in values are escaped, quotes inside quoted values too
    assertEquals(
        "attributes.file.path : /a\\ b\\(c\\)/*", new Filter.Prefix(path, "/a b(c)/").kql());
    assertEquals(
        "attributes.file.path : \"say \\\"hi\\\"\"",
        new Filter.Is(path, List.of("say \"hi\"")).kql());
  }

  @Test
  void panelQueriesCoverEveryDashboardInOrder() {
    List<String> dashboards =
        PanelQueries.all().stream().map(PanelQuery::dashboard).distinct().toList();
    assertEquals(Dashboards.all().stream().map(Dashboard::title).toList(), dashboards);
  }
}
