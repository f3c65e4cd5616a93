package io.github.otelkernel.elastic.kibana;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which documents a panel counts, written once and rendered twice: as the KQL query the Lens panel
 * stores, and as the Elasticsearch query DSL of {@link PanelQueries}. Only the few shapes the
 * dashboards need, each with the same meaning in both languages on keyword, numeric, ip and boolean
 * fields.
 */
public sealed interface Filter {
  JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** KQL, as typed in Kibana's query bar. */
  String kql();

  /** The same condition as query DSL. */
  ObjectNode dsl();

  /** Every field the condition reads. */
  Stream<Field> fields();

  /** The field equals one of the values (strings, numbers or booleans). */
  record Is(Field field, List<Object> values) implements Filter {
    @Override
    public String kql() {
      List<String> literals = values.stream().map(Filter::literal).toList();
      return field.name()
          + " : "
          + (literals.size() == 1 ? literals.get(0) : "(" + String.join(" or ", literals) + ")");
    }

    @Override
    public ObjectNode dsl() {
      if (values.size() == 1) {
        ObjectNode term = JSON.objectNode();
        term.putObject("term").set(field.name(), Filter.value(values.get(0)));
        return term;
      }
      ObjectNode terms = JSON.objectNode();
      ArrayNode array = terms.putObject("terms").putArray(field.name());
      values.forEach(v -> array.add(Filter.value(v)));
      return terms;
    }

    @Override
    public Stream<Field> fields() {
      return Stream.of(field);
    }
  }

  /** A keyword field starts with a prefix (a path under a directory). */
  record Prefix(Field field, String prefix) implements Filter {
    @Override
    public String kql() {
      return field.name() + " : " + escape(prefix) + "*";
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      query.putObject("prefix").put(field.name(), prefix);
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return Stream.of(field);
    }
  }

  /** A keyword field matches a pattern whose only wildcard is {@code *}. */
  record Wildcard(Field field, String pattern) implements Filter {
    @Override
    public String kql() {
      return field.name()
          + " : "
          + Stream.of(pattern.split("\\*", -1))
              .map(Filter::escape)
              .collect(Collectors.joining("*"));
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      query.putObject("wildcard").putObject(field.name()).put("value", pattern.replace("?", "\\?"));
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return Stream.of(field);
    }
  }

  /** The field has a value. */
  record Exists(Field field) implements Filter {
    @Override
    public String kql() {
      return field.name() + " : *";
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      query.putObject("exists").put("field", field.name());
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return Stream.of(field);
    }
  }

  record Not(Filter filter) implements Filter {
    @Override
    public String kql() {
      return "not (" + filter.kql() + ")";
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      query.putObject("bool").putArray("must_not").add(filter.dsl());
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return filter.fields();
    }
  }

  record All(List<Filter> filters) implements Filter {
    @Override
    public String kql() {
      return filters.stream().map(f -> "(" + f.kql() + ")").collect(Collectors.joining(" and "));
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      ArrayNode all = query.putObject("bool").putArray("filter");
      filters.forEach(f -> all.add(f.dsl()));
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return filters.stream().flatMap(Filter::fields);
    }
  }

  record Any(List<Filter> filters) implements Filter {
    @Override
    public String kql() {
      return filters.stream().map(f -> "(" + f.kql() + ")").collect(Collectors.joining(" or "));
    }

    @Override
    public ObjectNode dsl() {
      ObjectNode query = JSON.objectNode();
      ObjectNode bool = query.putObject("bool");
      ArrayNode any = bool.putArray("should");
      filters.forEach(f -> any.add(f.dsl()));
      bool.put("minimum_should_match", 1);
      return query;
    }

    @Override
    public Stream<Field> fields() {
      return filters.stream().flatMap(Filter::fields);
    }
  }

  static Filter is(Field field, Object... values) {
    return new Is(field, List.of(values));
  }

  static Filter event(String... eventNames) {
    return new Is(Field.EVENT_NAME, List.of((Object[]) eventNames));
  }

  static Filter prefix(Field field, String prefix) {
    return new Prefix(field, prefix);
  }

  static Filter wildcard(Field field, String pattern) {
    return new Wildcard(field, pattern);
  }

  static Filter exists(Field field) {
    return new Exists(field);
  }

  static Filter not(Filter filter) {
    return new Not(filter);
  }

  static Filter allOf(Filter... filters) {
    return new All(List.of(filters));
  }

  static Filter anyOf(Filter... filters) {
    return new Any(List.of(filters));
  }

  /** A KQL value: numbers and booleans bare, strings quoted. */
  private static String literal(Object value) {
    if (value instanceof Number || value instanceof Boolean) {
      return value.toString();
    }
    return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** An unquoted KQL value: its special characters and whitespace escaped. */
  private static String escape(String value) {
    StringBuilder out = new StringBuilder();
    for (char c : value.toCharArray()) {
      if ("\\():<>\"*{}".indexOf(c) >= 0 || Character.isWhitespace(c)) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static com.fasterxml.jackson.databind.JsonNode value(Object value) {
    return switch (value) {
      case Integer i -> JSON.numberNode(i);
      case Long l -> JSON.numberNode(l);
      case Boolean b -> JSON.booleanNode(b);
      default -> JSON.textNode(value.toString());
    };
  }
}
