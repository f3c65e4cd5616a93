package io.github.otelkernel.elastic.kibana;

import java.util.List;

/**
 * A field of the {@code logs-ksec.*} documents as the Collector's elasticsearch exporter writes
 * them in mapping mode {@code otel}, by its full path ({@code attributes.…}, {@code
 * resource.attributes.…}): the passthrough short names ({@code process.executable.path}) answer
 * too, but the full path is the one field every Elasticsearch and Kibana version lists. {@code
 * kind} is what the panel expects; a unit test holds it against the type the index template gives
 * the field.
 */
public record Field(String name, Kind kind) {
  /** The mapping types a panel may aggregate on, with the type Lens calls them by. */
  public enum Kind {
    KEYWORD("string"),
    NUMBER("number"),
    IP("ip"),
    BOOLEAN("boolean"),
    DATE("date");

    private final String lensType;

    Kind(String lensType) {
      this.lensType = lensType;
    }

    public String lensType() {
      return lensType;
    }
  }

  public static final Field TIMESTAMP = new Field("@timestamp", Kind.DATE);
  public static final Field EVENT_NAME = new Field("event_name", Kind.KEYWORD);

  /** A record attribute ({@code attributes.<name>}). */
  static Field attribute(String name, Kind kind) {
    return new Field("attributes." + name, kind);
  }

  static Field keyword(String attribute) {
    return attribute(attribute, Kind.KEYWORD);
  }

  static Field number(String attribute) {
    return attribute(attribute, Kind.NUMBER);
  }

  static Field ip(String attribute) {
    return attribute(attribute, Kind.IP);
  }

  static Field bool(String attribute) {
    return attribute(attribute, Kind.BOOLEAN);
  }

  /** A resource attribute ({@code resource.attributes.<name>}): the host, the agent's version. */
  static Field resource(String name) {
    return new Field("resource.attributes." + name, Kind.KEYWORD);
  }

  /**
   * A scope attribute ({@code scope.attributes.<name>}): the ECS categorization, sent once per kind
   * of record.
   */
  static Field scope(String name) {
    return new Field("scope.attributes." + name, Kind.KEYWORD);
  }

  /** The attribute's own name, without {@code attributes.} or {@code resource.attributes.}. */
  public String shortName() {
    for (String prefix : List.of("resource.attributes.", "scope.attributes.", "attributes.")) {
      if (name.startsWith(prefix)) {
        return name.substring(prefix.length());
      }
    }
    return name;
  }
}
