package io.github.otelkernel.receiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One log record as it appears in OTLP/JSON (the Collector file exporter's format), parsed with a
 * general JSON parser rather than the agent's own code, so the test checks the wire format.
 */
record ExportedLog(
    String eventName,
    String body,
    long timeUnixNano,
    Map<String, Object> attributes,
    Map<String, Object> resource) {

  private static final ObjectMapper JSON = new ObjectMapper();

  Object attr(String key) {
    return attributes.get(key);
  }

  long longAttr(String key) {
    Object v = attributes.get(key);
    if (v == null) {
      throw new AssertionError("attribute " + key + " missing in " + this);
    }
    return (Long) v;
  }

  String stringAttr(String key) {
    Object v = attributes.get(key);
    if (v == null) {
      throw new AssertionError("attribute " + key + " missing in " + this);
    }
    return (String) v;
  }

  @SuppressWarnings("unchecked")
  <T> T attrList(String key) {
    Object v = attributes.get(key);
    if (v == null) {
      throw new AssertionError("attribute " + key + " missing in " + this);
    }
    return (T) v;
  }

  @SuppressWarnings("unchecked")
  List<String> args() {
    return (List<String>) attributes.get("process.command_args");
  }

  /**
   * The SHA-256 of an exec's program: on the record itself, or in the late process.executable.hash
   * record of that process and path (a process may exec the JDK's spawn helper first: the path must
   * match too).
   */
  static java.util.Optional<String> executableHash(List<ExportedLog> records, ExportedLog exec) {
    Object inline = exec.attr("ksec.process.executable.hash.sha256");
    if (inline != null) {
      return java.util.Optional.of((String) inline);
    }
    Object id = exec.attr("ksec.process.entity_id");
    Object path = exec.attr("process.executable.path");
    return records.stream()
        .filter(
            r ->
                "process.executable.hash".equals(r.eventName())
                    && id != null
                    && id.equals(r.attr("ksec.process.entity_id"))
                    && path != null
                    && path.equals(r.attr("process.executable.path")))
        .map(r -> r.stringAttr("ksec.process.executable.hash.sha256"))
        .findFirst();
  }

  static List<ExportedLog> readOtlpJsonLines(Path file) throws IOException {
    List<ExportedLog> out = new ArrayList<>();
    if (!Files.exists(file)) {
      return out;
    }
    String text = Files.readString(file);
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      if (line.isBlank()) {
        continue;
      }
      if (i == lines.size() - 1 && !text.endsWith("\n")) {
        break; // a line still being written
      }
      JsonNode request = JSON.readTree(line);
      for (JsonNode rl : request.path("resourceLogs")) {
        Map<String, Object> resource = attributes(rl.path("resource").path("attributes"));
        for (JsonNode sl : rl.path("scopeLogs")) {
          for (JsonNode lr : sl.path("logRecords")) {
            out.add(
                new ExportedLog(
                    lr.path("eventName").asText(null),
                    lr.path("body").path("stringValue").asText(null),
                    Long.parseLong(lr.path("timeUnixNano").asText("0")),
                    attributes(lr.path("attributes")),
                    resource));
          }
        }
      }
    }
    return out;
  }

  private static Map<String, Object> attributes(JsonNode list) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (JsonNode kv : list) {
      m.put(kv.path("key").asText(), value(kv.path("value")));
    }
    return m;
  }

  private static Object value(JsonNode v) {
    if (v.has("stringValue")) {
      return v.get("stringValue").asText();
    }
    if (v.has("intValue")) {
      return Long.parseLong(v.get("intValue").asText());
    }
    if (v.has("boolValue")) {
      return v.get("boolValue").asBoolean();
    }
    if (v.has("doubleValue")) {
      return v.get("doubleValue").asDouble();
    }
    if (v.has("arrayValue")) {
      List<Object> l = new ArrayList<>();
      for (JsonNode e : v.path("arrayValue").path("values")) {
        l.add(value(e));
      }
      return l;
    }
    return null;
  }
}
