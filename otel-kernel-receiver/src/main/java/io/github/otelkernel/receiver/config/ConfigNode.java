package io.github.otelkernel.receiver.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * A YAML node with the dotted key path that leads to it and its source line, so that every
 * validation error can say where it is. Scalars are read with {@code ${env:VAR}} expansion.
 */
final class ConfigNode {
  private static final Pattern ENV =
      Pattern.compile("\\$\\$|\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
  private static final Pattern DURATION = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h)");

  private final String file;
  private final String path;
  private final Node node; // null for an empty value ("ebpf:")
  private final int line;
  private final int keyLine; // the line of the key this value is under
  private final Map<String, String> env;

  ConfigNode(String file, String path, Node node, int line, Map<String, String> env) {
    this(file, path, node, line, line, env);
  }

  private ConfigNode(
      String file, String path, Node node, int line, int keyLine, Map<String, String> env) {
    this.file = file;
    this.path = path;
    this.node = node;
    this.line = node != null ? node.getStartMark().map(m -> m.getLine() + 1).orElse(line) : line;
    this.keyLine = keyLine;
    this.env = env;
  }

  String path() {
    return path;
  }

  boolean isEmpty() {
    return node == null || (node instanceof ScalarNode s && s.getValue().isEmpty() && isNullTag(s));
  }

  private static boolean isNullTag(ScalarNode s) {
    return s.getTag().getValue().endsWith(":null");
  }

  ConfigException error(String message) {
    return new ConfigException(
        file + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + message);
  }

  /** The entries of a mapping, in order; a key given twice is an error. */
  Map<String, ConfigNode> mapping() {
    if (isEmpty()) {
      return Map.of();
    }
    if (!(node instanceof MappingNode m)) {
      throw error("expected a mapping of keys to values");
    }
    Map<String, ConfigNode> out = new LinkedHashMap<>();
    for (NodeTuple t : m.getValue()) {
      if (!(t.getKeyNode() instanceof ScalarNode k)) {
        throw child("?", t.getKeyNode(), line).error("keys must be plain strings");
      }
      String key = k.getValue();
      int keyLine = k.getStartMark().map(mk -> mk.getLine() + 1).orElse(line);
      ConfigNode value = child(key, t.getValueNode(), keyLine);
      if (out.put(key, value) != null) {
        throw new ConfigException(file + ":" + keyLine + ": " + value.path + ": key appears twice");
      }
    }
    return out;
  }

  /**
   * This mapping read key by key: each key is named once, where its value is read, and {@link
   * Section#done} refuses any key that nothing read.
   */
  Section section() {
    return new Section(this);
  }

  /**
   * The node at a dotted path below this one (component ids may hold dots: the longest key that
   * fits is taken), or the deepest node on the way when the rest is absent.
   */
  ConfigNode find(String dotted) {
    if (dotted.isEmpty() || !(node instanceof MappingNode)) {
      return this;
    }
    ConfigNode best = null;
    String bestKey = "";
    for (var e : mapping().entrySet()) {
      String k = e.getKey();
      boolean fits = dotted.equals(k) || dotted.startsWith(k + ".");
      if (fits && k.length() > bestKey.length()) {
        best = e.getValue();
        bestKey = k;
      }
    }
    return best == null
        ? this
        : best.find(
            dotted.length() > bestKey.length() ? dotted.substring(bestKey.length() + 1) : "");
  }

  /** A mapping's keys, each read once by the parser of its component. */
  static final class Section {
    private final ConfigNode owner;
    private final Map<String, ConfigNode> entries;
    private final Set<String> read = new LinkedHashSet<>();

    private Section(ConfigNode owner) {
      this.owner = owner;
      this.entries = owner.mapping();
    }

    Optional<ConfigNode> get(String key) {
      read.add(key);
      return Optional.ofNullable(entries.get(key));
    }

    ConfigNode required(String key) {
      return get(key).orElseThrow(() -> owner.error("missing required key '" + key + "'"));
    }

    String string(String key, String otherwise) {
      return get(key).map(ConfigNode::asString).orElse(otherwise);
    }

    boolean bool(String key, boolean otherwise) {
      return get(key).map(ConfigNode::asBoolean).orElse(otherwise);
    }

    int integer(String key, long min, long max, int otherwise) {
      return get(key).map(n -> (int) n.asLong(min, max)).orElse(otherwise);
    }

    long number(String key, long min, long max, long otherwise) {
      return get(key).map(n -> n.asLong(min, max)).orElse(otherwise);
    }

    Duration duration(String key, Duration otherwise) {
      return get(key).map(ConfigNode::asDuration).orElse(otherwise);
    }

    List<String> strings(String key, List<String> otherwise) {
      return get(key).map(ConfigNode::asStringList).orElse(otherwise);
    }

    /** A nested mapping; empty when the key is absent. */
    Section section(String key) {
      read.add(key);
      ConfigNode n = entries.get(key);
      return n == null ? new Section(owner.child(key, null, owner.line)) : n.section();
    }

    ConfigException error(String message) {
      return owner.error(message);
    }

    /** Refuses the first key nothing read, naming the keys that are read. */
    void done() {
      for (var e : entries.entrySet()) {
        if (!read.contains(e.getKey())) {
          throw new ConfigException(
              owner.file
                  + ":"
                  + e.getValue().keyLine
                  + ": "
                  + (owner.path.isEmpty() ? "" : owner.path + ": ")
                  + "unknown key '"
                  + e.getKey()
                  + "' (allowed: "
                  + String.join(", ", new TreeSet<>(read))
                  + ")");
        }
      }
    }
  }

  private ConfigNode child(String key, Node n, int keyLine) {
    String p = path.isEmpty() ? key : path + "." + key;
    return new ConfigNode(file, p, n, keyLine, keyLine, env);
  }

  String asString() {
    if (!(node instanceof ScalarNode s) || isEmpty()) {
      throw error("expected a string");
    }
    return expand(s.getValue());
  }

  boolean asBoolean() {
    String v = asString();
    return switch (v) {
      case "true" -> true;
      case "false" -> false;
      default -> throw error("expected true or false, got '" + v + "'");
    };
  }

  long asLong(long min, long max) {
    String v = asString();
    long n;
    try {
      n = Long.parseLong(v.replace("_", ""));
    } catch (NumberFormatException e) {
      throw error("expected a whole number, got '" + v + "'");
    }
    if (n < min || n > max) {
      throw error(n + " is out of range [" + min + ", " + max + "]");
    }
    return n;
  }

  /** Go-style durations as the Collector writes them: 200ms, 5s, 1m30s. */
  Duration asDuration() {
    String v = asString();
    Matcher m = DURATION.matcher(v);
    Duration d = Duration.ZERO;
    int pos = 0;
    while (pos < v.length() && m.find(pos) && m.start() == pos) {
      long n = Long.parseLong(m.group(1));
      d =
          d.plus(
              switch (m.group(2)) {
                case "ns" -> Duration.ofNanos(n);
                case "us", "µs" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
              });
      pos = m.end();
    }
    if (pos == 0 || pos != v.length()) {
      throw error("expected a duration such as 200ms, 5s or 1m, got '" + v + "'");
    }
    return d;
  }

  List<String> asStringList() {
    return asList().stream().map(ConfigNode::asString).toList();
  }

  /** The items of a sequence, each able to name its own line in an error. */
  List<ConfigNode> asList() {
    if (isEmpty()) {
      return List.of();
    }
    if (!(node instanceof SequenceNode s)) {
      throw error("expected a list, such as [a, b]");
    }
    List<ConfigNode> out = new ArrayList<>();
    int i = 0;
    for (Node n : s.getValue()) {
      out.add(child(String.valueOf(i++), n, line));
    }
    return out;
  }

  /** A mapping of string to string (headers). */
  Map<String, String> asStringMap() {
    Map<String, String> out = new LinkedHashMap<>();
    mapping().forEach((k, v) -> out.put(k, v.asString()));
    return out;
  }

  private String expand(String raw) {
    if (raw.indexOf('$') < 0) {
      return raw;
    }
    Matcher m = ENV.matcher(raw);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String value = env.get(m.group(1));
        if (value == null) {
          if (m.group(2) == null) {
            throw error(
                "environment variable "
                    + m.group(1)
                    + " is not set (set it, or write ${env:"
                    + m.group(1)
                    + ":-default})");
          }
          value = m.group(3);
        }
        replacement = value;
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}
