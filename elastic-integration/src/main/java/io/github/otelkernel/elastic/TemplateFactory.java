package io.github.otelkernel.elastic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the JSON resources, the semantic conventions and what the cluster can do into the bodies
 * setup sends: the settings and mappings component templates, the index template and the ILM
 * policy. Nothing here talks to the cluster.
 */
final class TemplateFactory {
  static final String SETTINGS = "logs-ksec@settings";
  static final String MAPPINGS = "logs-ksec@mappings";
  static final String INDEX_TEMPLATE = "logs-ksec";
  static final String POLICY = "logs-ksec";

  private final SemanticConventions conventions;
  private final Set<String> missingFieldTypes;
  private final ObjectNode fallbacks = fallbacks();

  /** field type → the fields that lost it on this cluster, for the report. */
  private final Map<String, List<String>> degraded = new LinkedHashMap<>();

  private int attributeFields;
  private int ecsAliases;

  TemplateFactory(SemanticConventions conventions, Set<String> missingFieldTypes) {
    this.conventions = conventions;
    this.missingFieldTypes = missingFieldTypes;
  }

  /**
   * The field types {@code fallbacks.json} knows how to do without: those worth probing a cluster
   * for.
   */
  static Set<String> optionalFieldTypes() {
    return fallbacks()
        .propertyStream()
        .map(Map.Entry::getKey)
        .collect(java.util.stream.Collectors.toSet());
  }

  /**
   * The mappings component template: the record envelope of {@code logs-ksec@mappings.json}, one
   * explicit field per attribute (registry types through {@code attributes.json}'s {@code
   * registry_types}, then {@code attributes.json}'s own entries, which win), ECS aliases, and field
   * types the cluster lacks replaced by their fallbacks.
   */
  ObjectNode mappings() {
    ObjectNode body = JsonResources.object(MAPPINGS + ".json");
    ObjectNode catalog = JsonResources.object("attributes.json");
    ObjectNode root = (ObjectNode) body.at("/template/mappings/properties");

    // passthrough containers: each attribute is declared under its full dotted name (no subobjects)
    ObjectNode attributes = ((ObjectNode) root.get("attributes")).putObject("properties");
    conventions
        .registryTypes()
        .forEach((id, type) -> attributes.set(id, registryType(catalog, id, type)));
    attributes.setAll((ObjectNode) catalog.get("attributes").deepCopy());
    ObjectNode resource =
        ((ObjectNode) root.at("/resource/properties/attributes")).putObject("properties");
    resource.setAll((ObjectNode) catalog.get("resource.attributes").deepCopy());
    ObjectNode scope =
        ((ObjectNode) root.at("/scope/properties/attributes")).putObject("properties");
    scope.setAll((ObjectNode) catalog.get("scope.attributes").deepCopy());
    attributeFields = attributes.size() + resource.size() + scope.size();

    // ECS names as aliases, for rules and dashboards written against ECS. Where the ECS name is the
    // OTel name (process.pid), the passthrough object already answers to it.
    conventions
        .ecsFields()
        .forEach(
            (attribute, names) -> {
              for (String ecs : names) {
                if (!ecs.equals(attribute) && attributes.has(attribute)) {
                  putField(
                      root,
                      ecs,
                      JsonResources.JSON
                          .createObjectNode()
                          .put("type", "alias")
                          .put("path", "attributes." + attribute));
                  ecsAliases++;
                }
              }
            });

    degrade(body, "");
    return body;
  }

  /** The settings component template; it names the ILM policy when the cluster has ILM. */
  ObjectNode settings(boolean ilm) {
    ObjectNode body = JsonResources.object(SETTINGS + ".json");
    if (ilm) {
      ((ObjectNode) body.at("/template/settings/index")).putObject("lifecycle").put("name", POLICY);
    }
    return body;
  }

  /**
   * The index template, with the data stream lifecycle's retention when that is how this cluster
   * keeps time.
   */
  ObjectNode indexTemplate(Integer dataRetentionDays) {
    ObjectNode body = JsonResources.object(INDEX_TEMPLATE + ".json");
    if (dataRetentionDays != null) {
      body.putObject("template")
          .putObject("lifecycle")
          .put("data_retention", dataRetentionDays + "d");
    }
    return body;
  }

  /** Index template and ILM policy of one domain's data stream: logs-ksec.process… */
  static String domainName(Domain domain) {
    return INDEX_TEMPLATE + "." + domain.key();
  }

  /** Above the catch-all logs-ksec (250), so a domain's stream takes its own retention. */
  static final int DOMAIN_PRIORITY = 251;

  /**
   * The index template of one domain's data stream (logs-ksec.DOMAIN.*): the catch-all's
   * composition, with the domain's retention: its ILM policy named in its settings (which win over
   * the settings component's), or the data stream lifecycle's retention.
   *
   * @param ilmPolicy the domain's ILM policy, or null where the cluster has no ILM
   * @param dataRetentionDays the data stream lifecycle's retention, or null
   */
  ObjectNode domainIndexTemplate(Domain domain, String ilmPolicy, Integer dataRetentionDays) {
    ObjectNode body = indexTemplate(dataRetentionDays);
    body.putArray("index_patterns").add(domainName(domain) + ".*");
    body.put("priority", DOMAIN_PRIORITY);
    ((ObjectNode) body.get("_meta"))
        .put(
            "description",
            "The "
                + domain.key()
                + " data stream of otel-kernel-receiver (data_stream.dataset "
                + domain.dataset()
                + "), with its own retention.");
    if (ilmPolicy != null) {
      ObjectNode template =
          body.has("template") ? (ObjectNode) body.get("template") : body.putObject("template");
      template
          .putObject("settings")
          .putObject("index")
          .putObject("lifecycle")
          .put("name", ilmPolicy);
    }
    return body;
  }

  /** The ILM policy: hot with rollover, deleted {@code retentionDays} after rollover. */
  ObjectNode ilmPolicy(int retentionDays) {
    ObjectNode body = JsonResources.object(POLICY + "@ilm.json");
    ((ObjectNode) body.at("/policy/phases/delete")).put("min_age", retentionDays + "d");
    return body;
  }

  /**
   * Per field type this cluster lacks (after {@link #mappings()}): which fields did without it, and
   * how.
   */
  Map<String, String> degradations() {
    Map<String, String> lines = new LinkedHashMap<>();
    degraded.forEach(
        (type, fields) -> {
          JsonNode fallback = fallbacks.get(type);
          String how =
              fallback.isNull() ? "left out " : fallback.get("type").asText() + " instead for ";
          lines.put(type, "not on this cluster; " + how + String.join(", ", fields));
        });
    return lines;
  }

  int attributeFields() {
    return attributeFields;
  }

  int ecsAliases() {
    return ecsAliases;
  }

  private static ObjectNode registryType(ObjectNode catalog, String id, String type) {
    JsonNode mapping = catalog.get("registry_types").get(type);
    if (mapping == null) {
      throw new IllegalStateException(
          id + " has type " + type + ", which attributes.json's registry_types does not map");
    }
    return mapping.deepCopy();
  }

  /** Puts {@code mapping} at a dotted path of plain objects, creating them as needed. */
  private static void putField(ObjectNode properties, String dottedPath, ObjectNode mapping) {
    String[] parts = dottedPath.split("\\.");
    ObjectNode current = properties;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode next = current.get(parts[i]);
      if (next != null && next.has("type")) {
        throw new IllegalStateException(
            "ECS field " + dottedPath + " would nest under the field " + parts[i]);
      }
      current =
          next == null
              ? current.putObject(parts[i]).putObject("properties")
              : (ObjectNode) next.get("properties");
    }
    if (current.has(parts[parts.length - 1])) {
      throw new IllegalStateException("ECS field " + dottedPath + " is mapped twice");
    }
    current.set(parts[parts.length - 1], mapping);
  }

  /**
   * Replaces every field whose type the cluster lacks by its fallback, or drops it where the
   * fallback is null (extra multi-fields only). Walks properties, multi-fields and dynamic
   * templates alike: any object whose {@code type} is a missing field type is a field mapping.
   */
  private void degrade(ObjectNode node, String path) {
    for (String key : node.propertyStream().map(Map.Entry::getKey).toList()) {
      if (!(node.get(key) instanceof ObjectNode child)) {
        continue;
      }
      String childPath =
          Set.of("template", "mappings", "properties", "fields").contains(key)
              ? path
              : path.isEmpty() ? key : path + "." + key;
      JsonNode type = child.get("type");
      if (type != null && type.isTextual() && missingFieldTypes.contains(type.asText())) {
        JsonNode fallback = fallbacks.get(type.asText());
        if (fallback.isNull()) {
          node.remove(key);
        } else {
          node.set(key, fallback.deepCopy());
        }
        degraded.computeIfAbsent(type.asText(), t -> new ArrayList<>()).add(childPath);
      } else {
        degrade(child, childPath);
      }
    }
    if (node.get("dynamic_templates") != null) {
      node.get("dynamic_templates")
          .forEach(t -> degrade((ObjectNode) t, path + "dynamic_templates"));
    }
  }

  private static ObjectNode fallbacks() {
    return (ObjectNode) JsonResources.object("fallbacks.json").get("fallbacks");
  }
}
