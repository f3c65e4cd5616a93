package io.github.otelkernel.elastic;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The attributes the agent emits, as the ksec semantic conventions define them: the {@code ksec.*}
 * registry with its types ({@code registry.yaml}) and the events that reference it and OTel's
 * registry ({@code events.yaml}), each attribute naming its ECS field. Read from the
 * semantic-conventions jar ({@code semconv-model/}), so the templates describe the same model the
 * agent was built from, and a new attribute there reaches the mappings without a second list here.
 *
 * @param registryTypes every {@code ksec.*} attribute and its semconv type ({@code int}, {@code
 *     string}…), in registry order
 * @param ecsFields the ECS fields of each attribute that has one or more (ksec and OTel alike:
 *     {@code process.user.id} is also ECS's {@code user.id})
 * @param eventAttributes every attribute some event carries, OTel's and ours
 */
public record SemanticConventions(
    Map<String, String> registryTypes,
    Map<String, List<String>> ecsFields,
    Set<String> eventAttributes) {

  private static final String MODEL = "/semconv-model/ksec/";

  /** The conventions in the semantic-conventions jar on the class path. */
  public static SemanticConventions load() {
    Map<String, String> types = new LinkedHashMap<>();
    Map<String, List<String>> ecs = new LinkedHashMap<>();
    for (Map<String, Object> group : groups("registry.yaml")) {
      for (Map<String, Object> attribute : list(group.get("attributes"))) {
        String id = (String) attribute.get("id");
        types.put(id, (String) attribute.get("type"));
        ecsField(attribute).ifPresent(field -> ecs.put(id, field));
      }
    }
    Set<String> emitted = new LinkedHashSet<>();
    for (Map<String, Object> group : groups("events.yaml")) {
      for (Map<String, Object> ref : list(group.get("attributes"))) {
        String id = (String) ref.get("ref");
        emitted.add(id);
        ecsField(ref).ifPresent(field -> ecs.putIfAbsent(id, field));
      }
    }
    return new SemanticConventions(
        Collections.unmodifiableMap(types),
        Collections.unmodifiableMap(ecs),
        Collections.unmodifiableSet(emitted));
  }

  /**
   * {@code annotations.ecs}, where it names a field or a list of them ({@code none} says ECS has
   * none).
   */
  private static java.util.Optional<List<String>> ecsField(Map<String, Object> attribute) {
    Object annotations = attribute.get("annotations");
    Object field = annotations instanceof Map<?, ?> m ? m.get("ecs") : null;
    List<String> names =
        field instanceof List<?> l
            ? l.stream().map(String::valueOf).toList()
            : field instanceof String s ? List.of(s) : List.of();
    names = names.stream().filter(s -> !s.isBlank() && !s.equals("none")).toList();
    return names.isEmpty() ? java.util.Optional.empty() : java.util.Optional.of(names);
  }

  private static List<Map<String, Object>> groups(String file) {
    try (InputStream in = SemanticConventions.class.getResourceAsStream(MODEL + file)) {
      if (in == null) {
        throw new IllegalStateException(
            MODEL + file + " is not on the class path (the semantic-conventions jar)");
      }
      Map<?, ?> doc =
          (Map<?, ?>)
              new Load(LoadSettings.builder().setLabel(file).build()).loadFromInputStream(in);
      return list(doc.get("groups"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> list(Object yaml) {
    return yaml == null ? List.of() : (List<Map<String, Object>>) yaml;
  }
}
