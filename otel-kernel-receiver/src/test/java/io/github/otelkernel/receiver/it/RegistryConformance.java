package io.github.otelkernel.receiver.it;

import java.io.InputStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks exported records against the event definitions of
 * semantic-conventions/model/ksec/events.yaml.
 */
final class RegistryConformance {
  record EventDef(Set<String> allowed, Set<String> required) {}

  final Map<String, EventDef> events = new HashMap<>();

  @SuppressWarnings("unchecked")
  RegistryConformance() throws Exception {
    try (InputStream in =
        RegistryConformance.class.getResourceAsStream("/semconv-model/ksec/events.yaml")) {
      var doc =
          (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromInputStream(in);
      var groups = (List<Map<String, Object>>) doc.get("groups");
      Map<String, Map<String, Object>> byId = new HashMap<>();
      groups.forEach(g -> byId.put((String) g.get("id"), g));
      for (var g : groups) {
        if (!"event".equals(g.get("type"))) {
          continue;
        }
        Set<String> allowed = new HashSet<>();
        Set<String> required = new HashSet<>();
        List<Map<String, Object>> attrs = new java.util.ArrayList<>();
        for (var b = g;
            b.get("extends") != null; ) { // nested: event → syscall common → process common
          b = byId.get((String) b.get("extends"));
          attrs.addAll((List<Map<String, Object>>) b.get("attributes"));
        }
        attrs.addAll((List<Map<String, Object>>) g.get("attributes"));
        for (var a : attrs) {
          allowed.add((String) a.get("ref"));
          if ("required".equals(a.get("requirement_level"))) {
            required.add((String) a.get("ref"));
          }
        }
        events.put((String) g.get("name"), new EventDef(allowed, required));
      }
    }
  }

  /** Problems with any of the records, each once, sorted; empty when all conform. */
  List<String> check(List<ExportedLog> records) {
    return records.stream().flatMap(r -> check(r).stream()).distinct().sorted().toList();
  }

  /** Problems with one record, empty when it conforms. */
  List<String> check(ExportedLog r) {
    EventDef def = events.get(r.eventName());
    if (def == null) {
      return List.of("EventName " + r.eventName() + " is not in events.yaml");
    }
    List<String> problems = new java.util.ArrayList<>();
    for (String key : r.attributes().keySet()) {
      if (!def.allowed().contains(key)) {
        problems.add(r.eventName() + " carries " + key + ", which its definition lacks");
      }
    }
    for (String key : def.required()) {
      if (!r.attributes().containsKey(key)) {
        problems.add(r.eventName() + " lacks required " + key);
      }
    }
    return problems;
  }
}
