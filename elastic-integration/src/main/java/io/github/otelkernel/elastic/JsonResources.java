package io.github.otelkernel.elastic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;

/**
 * The JSON files under {@code src/main/resources/elastic/}, as trees that setup completes before
 * sending.
 */
final class JsonResources {
  static final ObjectMapper JSON = new ObjectMapper();

  private JsonResources() {}

  /** A fresh, modifiable copy of {@code elastic/<name>}. */
  static ObjectNode object(String name) {
    try (InputStream in = JsonResources.class.getResourceAsStream("/elastic/" + name)) {
      if (in == null) {
        throw new IllegalStateException("resource elastic/" + name + " is missing from the jar");
      }
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A body for the client's {@code withJson(...)} builders. */
  static StringReader reader(JsonNode body) {
    try {
      return new StringReader(JSON.writeValueAsString(body));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
