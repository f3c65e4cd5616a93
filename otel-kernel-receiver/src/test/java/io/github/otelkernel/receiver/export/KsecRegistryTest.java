package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.opentelemetry.api.common.AttributeKey;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Every ksec.* key the agent can emit is described, with the same type, in the registry. */
class KsecRegistryTest {
  @Test
  @SuppressWarnings("unchecked")
  void everyKsecAttributeIsInTheRegistry() throws Exception {
    Path registry = Path.of("../semantic-conventions/model/ksec/registry.yaml");
    var doc = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(Files.readString(registry));
    Map<String, String> types = new HashMap<>();
    for (var group : (List<Map<String, Object>>) doc.get("groups")) {
      for (var attr : (List<Map<String, Object>>) group.get("attributes")) {
        types.put((String) attr.get("id"), (String) attr.get("type"));
        assertNotNull(((Map<String, Object>) attr.get("annotations")).get("ecs"), attr.get("id") + " lacks its ECS field");
      }
    }
    int checked = 0;
    for (Field f : KsecAttributes.class.getFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == AttributeKey.class) {
        AttributeKey<?> key = (AttributeKey<?>) f.get(null);
        String expected = switch (key.getType()) {
          case LONG -> "int";
          case BOOLEAN -> "boolean";
          case STRING -> "string";
          case DOUBLE -> "double";
          default -> key.getType().name().toLowerCase();
        };
        assertEquals(expected, types.get(key.getKey()), key.getKey() + " in registry.yaml");
        checked++;
      }
    }
    assertFalse(checked == 0);
    assertEquals(checked, types.size(), "registry.yaml describes attributes the agent does not have");
  }
}
