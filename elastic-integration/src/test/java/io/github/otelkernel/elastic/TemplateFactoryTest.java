package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The request bodies setup builds, against the semantic conventions the agent is built from. */
class TemplateFactoryTest {
  static final SemanticConventions CONVENTIONS = SemanticConventions.load();
  static final Set<String> TEST_DISTRIBUTION_LACKS =
      Set.of("wildcard", "match_only_text", "constant_keyword");

  static JsonNode attributes(ObjectNode mappings) {
    return mappings.at("/template/mappings/properties/attributes/properties");
  }

  @Test
  void everyAttributeAnEventCarriesHasAnExplicitField() {
    JsonNode fields = attributes(new TemplateFactory(CONVENTIONS, Set.of()).mappings());
    Set<String> unmapped = new TreeSet<>(CONVENTIONS.eventAttributes());
    unmapped.removeIf(fields::has);
    assertEquals(
        Set.of(),
        unmapped,
        "attributes of events.yaml that would be mapped dynamically: add them to attributes.json");
    assertTrue(
        CONVENTIONS.eventAttributes().size() > 50,
        "events.yaml was read: " + CONVENTIONS.eventAttributes().size());
  }

  @Test
  void registryTypesBecomeFieldTypesAndOverridesNameRealAttributes() {
    JsonNode fields = attributes(new TemplateFactory(CONVENTIONS, Set.of()).mappings());
    assertEquals("long", fields.at("/ksec.process.group.id/type").asText());
    assertEquals("boolean", fields.at("/ksec.process.command_args.truncated/type").asText());
    assertEquals("keyword", fields.at("/ksec.process.comm/type").asText());
    assertEquals(8191, fields.at("/ksec.process.comm/ignore_above").asInt());
    // ISO-8601 strings in the registry that are dates
    assertEquals("date", fields.at("/ksec.process.parent.creation.time/type").asText());

    JsonNode catalog = JsonResources.object("attributes.json").get("attributes");
    catalog
        .properties()
        .forEach(
            e -> {
              if (e.getKey().startsWith("ksec.")) {
                assertTrue(
                    CONVENTIONS.registryTypes().containsKey(e.getKey()),
                    e.getKey() + " in attributes.json is not in registry.yaml");
              }
            });
  }

  @Test
  void theAttributesTheBriefNamesHaveTheirTypes() {
    JsonNode fields = attributes(new TemplateFactory(CONVENTIONS, Set.of()).mappings());
    Map<String, String> expected =
        Map.ofEntries(
            Map.entry("process.pid", "long"),
            Map.entry("process.parent_pid", "long"),
            Map.entry("thread.id", "long"),
            Map.entry("process.user.id", "long"),
            Map.entry("process.real_user.id", "long"),
            Map.entry("process.args_count", "long"),
            Map.entry("process.exit.code", "long"),
            Map.entry("process.executable.path", "keyword"),
            Map.entry("process.executable.name", "keyword"),
            Map.entry("process.working_directory", "keyword"),
            Map.entry("process.command_args", "keyword"),
            Map.entry("process.command_line", "keyword"),
            Map.entry("process.creation.time", "date"),
            Map.entry("process.exit.time", "date"),
            Map.entry("destination.address", "ip"),
            Map.entry("source.address", "ip"));
    expected.forEach(
        (field, type) -> assertEquals(type, fields.at("/" + field + "/type").asText(), field));
    assertEquals("match_only_text", fields.at("/process.command_line/fields/text/type").asText());
    assertEquals("wildcard", fields.at("/process.command_line/fields/wildcard/type").asText());
  }

  @Test
  void ecsNamesAreAliasesOfTheAttributes() {
    TemplateFactory factory = new TemplateFactory(CONVENTIONS, Set.of());
    ObjectNode mappings = factory.mappings();
    JsonNode root = mappings.at("/template/mappings/properties");
    assertEquals(
        "attributes.process.parent_pid",
        root.at("/process/properties/parent/properties/pid/path").asText());
    assertEquals(
        "attributes.process.executable.path",
        root.at("/process/properties/executable/path").asText());
    assertEquals(
        "attributes.ksec.process.group.id",
        root.at("/process/properties/group/properties/id/path").asText());
    // one attribute, two ECS names: the acting user is ECS's user too
    assertEquals("attributes.process.user.id", root.at("/user/properties/id/path").asText());
    // the categorization rides on the scope, the OS on the resource
    assertEquals(
        "scope.attributes.event.category", root.at("/event/properties/category/path").asText());
    assertEquals(
        "resource.attributes.os.type",
        root.at("/host/properties/os/properties/type/path").asText());
    // where ECS and OTel agree (process.pid) the passthrough object answers, no alias
    assertTrue(root.at("/process/properties/pid").isMissingNode());
    List<String> paths = new ArrayList<>();
    collectAliasPaths(root, paths);
    // + event.dataset, the four event.* of the scope, host.os.type, message, log.level
    assertEquals(factory.ecsAliases() + 8, paths.size(), paths.toString());
    JsonNode fields = attributes(mappings);
    for (String path : paths) {
      if (path.startsWith("attributes.")) {
        assertTrue(
            fields.has(path.substring("attributes.".length())), "alias to a missing field " + path);
      }
      if (path.startsWith("scope.attributes.")) {
        assertTrue(
            root.at("/scope/properties/attributes/properties")
                .has(path.substring("scope.attributes.".length())),
            "alias to a missing field " + path);
      }
    }
  }

  @Test
  void fieldTypesTheClusterLacksFallBack() {
    TemplateFactory factory = new TemplateFactory(CONVENTIONS, TEST_DISTRIBUTION_LACKS);
    ObjectNode mappings = factory.mappings();
    String json = mappings.toString();
    for (String type : TEST_DISTRIBUTION_LACKS) {
      assertFalse(json.contains("\"" + type + "\""), type + " left in " + json);
    }
    JsonNode commandLine = attributes(mappings).get("process.command_line");
    assertEquals("keyword", commandLine.path("type").asText());
    assertEquals("text", commandLine.at("/fields/text/type").asText());
    assertTrue(commandLine.at("/fields/wildcard").isMissingNode());
    assertEquals(
        "keyword",
        mappings.at("/template/mappings/properties/data_stream/properties/dataset/type").asText());
    assertEquals(Set.copyOf(TEST_DISTRIBUTION_LACKS), factory.degradations().keySet());
    assertEquals(
        "not on this cluster; left out attributes.process.command_line.wildcard",
        factory.degradations().get("wildcard"));
  }

  @Test
  void retentionGoesWhereTheClusterKeepsTime() {
    TemplateFactory factory = new TemplateFactory(CONVENTIONS, Set.of());
    assertEquals(
        "logs-ksec", factory.settings(true).at("/template/settings/index/lifecycle/name").asText());
    assertTrue(factory.settings(false).at("/template/settings/index/lifecycle").isMissingNode());
    assertEquals(
        "30d", factory.indexTemplate(30).at("/template/lifecycle/data_retention").asText());
    assertTrue(factory.indexTemplate(null).path("template").isMissingNode());
    assertEquals("7d", factory.ilmPolicy(7).at("/policy/phases/delete/min_age").asText());
    assertTrue(factory.ilmPolicy(7).at("/policy/phases/hot/actions/rollover").isObject());
  }

  @Test
  void eachDomainHasItsOwnStreamTemplateAndRetention() {
    TemplateFactory factory = new TemplateFactory(CONVENTIONS, Set.of());
    JsonNode catchAll = factory.indexTemplate(null);
    for (Domain d : Domain.values()) {
      JsonNode ilm = factory.domainIndexTemplate(d, "logs-ksec." + d.key(), null);
      assertEquals("logs-ksec." + d.key() + ".*", ilm.at("/index_patterns/0").asText());
      assertEquals(1, ilm.get("index_patterns").size());
      assertTrue(ilm.get("priority").asInt() > catchAll.get("priority").asInt());
      assertEquals(catchAll.get("composed_of"), ilm.get("composed_of"));
      assertEquals(catchAll.get("data_stream"), ilm.get("data_stream"));
      assertEquals(
          "logs-ksec." + d.key(), ilm.at("/template/settings/index/lifecycle/name").asText());
      assertTrue(ilm.at("/template/lifecycle").isMissingNode());

      JsonNode dsl = factory.domainIndexTemplate(d, null, 400);
      assertEquals("400d", dsl.at("/template/lifecycle/data_retention").asText());
      assertTrue(dsl.at("/template/settings").isMissingNode());
    }
    // the catch-all is not changed by building the domains' templates from it
    assertEquals(
        List.of("logs-ksec.*"),
        List.of(factory.indexTemplate(null).at("/index_patterns/0").asText()));
  }

  @Test
  void theStreamsTheAgentWritesMatchTheirDomainsTemplateOnly() {
    for (Domain d : Domain.values()) {
      String stream = "logs-" + d.dataset() + ".otel-default"; // what the exporter writes
      for (Domain other : Domain.values()) {
        String pattern = "logs-ksec." + other.key() + ".*";
        assertEquals(
            d == other, glob(pattern).matcher(stream).matches(), stream + " vs " + pattern);
      }
    }
  }

  @Test
  void theRestrictedRoleHidesEveryArgvCommandLineAndRawField() {
    List<Pattern> except = new ArrayList<>();
    JsonNode role = JsonResources.object("roles/ksec_analyst_restricted.json");
    role.at("/indices/0/field_security/except").forEach(p -> except.add(glob(p.asText())));
    assertEquals("*", role.at("/indices/0/field_security/grant/0").asText());

    ObjectNode mappings = new TemplateFactory(CONVENTIONS, Set.of()).mappings();
    Set<String> sensitive = new TreeSet<>();
    attributes(mappings)
        .properties()
        .forEach(
            e -> {
              String name = e.getKey();
              if (name.contains("command_line")
                  || name.endsWith("command_args")
                  || name.endsWith("env_vars")
                  || name.endsWith(".raw")) {
                sensitive.add(name); // the passthrough name
                sensitive.add("attributes." + name); // the field
                e.getValue()
                    .path("fields")
                    .properties()
                    .forEach(sub -> sensitive.add("attributes." + name + "." + sub.getKey()));
                sensitive.addAll(CONVENTIONS.ecsFields().getOrDefault(name, List.of())); // aliases
              }
            });
    assertTrue(
        sensitive.contains("attributes.ksec.process.command_args.raw"), sensitive.toString());
    assertTrue(sensitive.contains("process.args"), sensitive.toString());
    assertTrue(sensitive.contains("process.env_vars"), sensitive.toString());
    for (String field : sensitive) {
      assertTrue(
          except.stream().anyMatch(p -> p.matcher(field).matches()),
          field + " is not hidden by " + except);
    }
    assertFalse(
        except.stream().anyMatch(p -> p.matcher("attributes.process.executable.path").matches()));
    assertFalse(
        except.stream()
            .anyMatch(p -> p.matcher("attributes.ksec.process.command_args.bytes").matches()));
  }

  /** Field-level security patterns: '*' matches anything, dots included. */
  private static Pattern glob(String pattern) {
    return Pattern.compile(Pattern.quote(pattern).replace("*", "\\E.*\\Q"));
  }

  private static void collectAliasPaths(JsonNode properties, List<String> out) {
    properties
        .properties()
        .forEach(
            e -> {
              JsonNode field = e.getValue();
              if ("alias".equals(field.path("type").asText())) {
                out.add(field.path("path").asText());
              } else if (!field.has("type") && field.has("properties")) {
                collectAliasPaths(field.get("properties"), out);
              }
            });
  }
}
