package io.github.otelkernel.semconv.codegen;

import io.github.otelkernel.semconv.EcsCategorization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Generates, from the registry in OTel semconv YAML ({@code registry.yaml}: attribute groups;
 * {@code events.yaml}: event groups), the Java constants the agent uses and the Markdown reference.
 * Run by the build; its output is never edited by hand.
 *
 * <p>Arguments: model directory, Java output root, Markdown output file, and the event catalog's C
 * header and Markdown table (compared with their committed copies by the tests).
 */
public final class SemconvGenerator {
  static final String PACKAGE = "io.github.otelkernel.semconv";

  /** One attribute of our namespace. */
  record Attribute(
      String id,
      String type,
      String brief,
      String ecs,
      List<Object> examples,
      boolean redact,
      boolean mergeVolatile) {}

  /** A reference from an event to an attribute, ours or OTel's. */
  record Ref(
      String id,
      String requirement,
      String condition,
      String ecs,
      boolean redact,
      boolean mergeVolatile) {}

  /** An event; ecs is its annotations.ecs (kind, category, type, action, variants). */
  record Event(String name, String brief, List<Ref> refs, Map<String, Object> ecs) {}

  public static void main(String[] args) throws IOException {
    Path model = Path.of(args[0]);
    Path javaRoot = Path.of(args[1]);
    Path markdown = Path.of(args[2]);
    List<Attribute> attributes = attributes(model.resolve("registry.yaml"));
    List<Event> events = events(model.resolve("events.yaml"));
    validate(attributes, events);
    Path pkg = javaRoot.resolve(PACKAGE.replace('.', '/'));
    Files.createDirectories(pkg);
    Files.writeString(pkg.resolve("KsecAttributes.java"), attributesJava(attributes));
    Files.writeString(pkg.resolve("KsecEvents.java"), eventsJava(events));
    Files.writeString(pkg.resolve("KsecAttributeHandling.java"), handlingJava(attributes, events));
    Files.writeString(pkg.resolve("KsecEcs.java"), ecsJava(events));
    Files.createDirectories(markdown.getParent());
    Files.writeString(markdown, markdown(attributes, events));
    if (args.length > 3) {
      CatalogGenerator.main(new String[] {"c", model.toString(), args[3]});
      CatalogGenerator.main(new String[] {"markdown", model.toString(), args[4]});
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> groups(Path file) throws IOException {
    Map<String, Object> doc =
        (Map<String, Object>)
            new Load(LoadSettings.builder().setLabel(file.toString()).build())
                .loadFromString(Files.readString(file));
    return (List<Map<String, Object>>) doc.get("groups");
  }

  @SuppressWarnings("unchecked")
  static List<Attribute> attributes(Path file) throws IOException {
    List<Attribute> out = new ArrayList<>();
    for (Map<String, Object> g : groups(file)) {
      for (Map<String, Object> a : (List<Map<String, Object>>) g.get("attributes")) {
        Map<String, Object> ann = (Map<String, Object>) a.getOrDefault("annotations", Map.of());
        out.add(
            new Attribute(
                (String) a.get("id"),
                (String) a.get("type"),
                oneLine((String) a.get("brief")),
                ecsNames(ann.getOrDefault("ecs", "none")),
                (List<Object>) a.getOrDefault("examples", List.of()),
                Boolean.TRUE.equals(ann.get("redact")),
                Boolean.TRUE.equals(ann.get("merge_volatile"))));
      }
    }
    return out;
  }

  /** Event groups with the attributes of the groups they extend resolved (extended ones first). */
  @SuppressWarnings("unchecked")
  static List<Event> events(Path file) throws IOException {
    List<Map<String, Object>> all = groups(file);
    Map<String, Map<String, Object>> byId = new java.util.HashMap<>();
    all.forEach(g -> byId.put((String) g.get("id"), g));
    List<Event> out = new ArrayList<>();
    for (Map<String, Object> g : all) {
      if (!"event".equals(g.get("type"))) {
        continue;
      }
      List<Map<String, Object>> attrs = new ArrayList<>();
      // groups extend groups (event → syscall common → process common): the deepest base first
      List<Map<String, Object>> chain = new ArrayList<>();
      for (Map<String, Object> b = g; b.get("extends") != null; ) {
        Map<String, Object> base = byId.get((String) b.get("extends"));
        if (base == null) {
          throw new IllegalArgumentException(
              b.get("id") + " extends unknown group " + b.get("extends"));
        }
        if (chain.contains(base) || chain.size() > 8) {
          throw new IllegalArgumentException(g.get("id") + ": extends forms a cycle");
        }
        chain.add(0, base);
        b = base;
      }
      for (Map<String, Object> base : chain) {
        attrs.addAll((List<Map<String, Object>>) base.get("attributes"));
      }
      attrs.addAll((List<Map<String, Object>>) g.get("attributes"));
      List<Ref> refs = new ArrayList<>();
      for (Map<String, Object> a : attrs) {
        Object level = a.get("requirement_level");
        String requirement;
        String condition = "";
        if (level instanceof Map<?, ?> m) {
          var e = m.entrySet().iterator().next();
          requirement = (String) e.getKey();
          condition = String.valueOf(e.getValue());
        } else {
          requirement = (String) level;
        }
        Map<String, Object> ann = (Map<String, Object>) a.getOrDefault("annotations", Map.of());
        refs.add(
            new Ref(
                (String) a.get("ref"),
                requirement,
                condition,
                ecsNames(ann.getOrDefault("ecs", "")),
                Boolean.TRUE.equals(ann.get("redact")),
                Boolean.TRUE.equals(ann.get("merge_volatile"))));
      }
      Map<String, Object> eventAnn = (Map<String, Object>) g.getOrDefault("annotations", Map.of());
      out.add(
          new Event(
              (String) g.get("name"),
              oneLine((String) g.get("brief")),
              refs,
              (Map<String, Object>) eventAnn.getOrDefault("ecs", Map.of())));
    }
    return out;
  }

  /** annotations.ecs of an attribute: one ECS field, or a list of them (comma-joined here). */
  static String ecsNames(Object ecs) {
    return ecs instanceof List<?> l
        ? String.join(", ", l.stream().map(String::valueOf).toList())
        : String.valueOf(ecs);
  }

  static void validate(List<Attribute> attributes, List<Event> events) {
    for (Attribute a : attributes) {
      if (!a.id().startsWith("ksec.")) {
        throw new IllegalArgumentException(
            a.id() + ": registry.yaml defines only ksec.* attributes");
      }
      if (!List.of("int", "string", "boolean", "double", "string[]", "int[]").contains(a.type())) {
        throw new IllegalArgumentException(a.id() + ": unsupported type " + a.type());
      }
    }
    for (Event e : events) {
      if (e.ecs().isEmpty()) {
        throw new IllegalArgumentException(
            e.name() + ": annotations.ecs is missing (kind, category, type, action)");
      }
      ecsCategorizations(List.of(e)); // throws on a value ECS does not allow
      for (Ref r : e.refs()) {
        if (r.id().startsWith("ksec.")
            && attributes.stream().noneMatch(a -> a.id().equals(r.id()))) {
          throw new IllegalArgumentException(
              e.name() + " refers to " + r.id() + ", which registry.yaml lacks");
        }
        if (!List.of("required", "recommended", "opt_in", "conditionally_required")
            .contains(r.requirement())) {
          throw new IllegalArgumentException(
              e.name() + "/" + r.id() + ": unknown requirement level " + r.requirement());
        }
      }
    }
  }

  static String constantName(String id, String prefix) {
    return id.substring(prefix.length()).replaceAll("[^A-Za-z0-9]+", "_").toUpperCase(Locale.ROOT);
  }

  static String attributesJava(List<Attribute> attributes) {
    StringBuilder sb =
        new StringBuilder(header())
            .append("import io.opentelemetry.api.common.AttributeKey;\n\n")
            .append(
                "/** Attributes of the ksec.* namespace. Generated from semantic-conventions/model/ksec/registry.yaml. */\n")
            .append("public final class KsecAttributes {\n");
    for (Attribute a : attributes) {
      String factory =
          switch (a.type()) {
            case "int" -> "AttributeKey.longKey";
            case "boolean" -> "AttributeKey.booleanKey";
            case "double" -> "AttributeKey.doubleKey";
            case "string[]" -> "AttributeKey.stringArrayKey";
            case "int[]" -> "AttributeKey.longArrayKey";
            default -> "AttributeKey.stringKey";
          };
      String javaType =
          switch (a.type()) {
            case "int" -> "Long";
            case "boolean" -> "Boolean";
            case "double" -> "Double";
            case "string[]" -> "java.util.List<String>";
            case "int[]" -> "java.util.List<Long>";
            default -> "String";
          };
      sb.append("  /** ")
          .append(javadoc(a.brief()))
          .append(" ECS: {@code ")
          .append(a.ecs())
          .append("}. */\n")
          .append("  public static final AttributeKey<")
          .append(javaType)
          .append("> ")
          .append(constantName(a.id(), "ksec."))
          .append(" =\n      ")
          .append(factory)
          .append("(\"")
          .append(a.id())
          .append("\");\n\n");
    }
    return sb.append("  private KsecAttributes() {}\n}\n").toString();
  }

  static String eventsJava(List<Event> events) {
    StringBuilder sb =
        new StringBuilder(header())
            .append(
                "/** EventNames the agent emits. Generated from semantic-conventions/model/ksec/events.yaml. */\n")
            .append("public final class KsecEvents {\n");
    for (Event e : events) {
      sb.append("  /** ")
          .append(javadoc(e.brief()))
          .append(" */\n")
          .append("  public static final String ")
          .append(constantName(e.name(), ""))
          .append(" = \"")
          .append(e.name())
          .append("\";\n\n");
    }
    return sb.append("  private KsecEvents() {}\n}\n").toString();
  }

  /**
   * Which attributes the redaction stage masks and the merge stage ignores: marked {@code redact}
   * or {@code merge_volatile} on a ksec.* attribute in registry.yaml or on a reference in
   * events.yaml.
   */
  static String handlingJava(List<Attribute> attributes, List<Event> events) {
    java.util.TreeSet<String> redact = new java.util.TreeSet<>();
    java.util.TreeSet<String> volatiles = new java.util.TreeSet<>();
    for (Attribute a : attributes) {
      if (a.redact()) {
        redact.add(a.id());
      }
      if (a.mergeVolatile()) {
        volatiles.add(a.id());
      }
    }
    for (Event e : events) {
      for (Ref r : e.refs()) {
        if (r.redact()) {
          redact.add(r.id());
        }
        if (r.mergeVolatile()) {
          volatiles.add(r.id());
        }
      }
    }
    return header()
        + "import java.util.Set;\n\n"
        + "/** How the policy stages treat attributes. Generated from the redact and merge_volatile annotations. */\n"
        + "public final class KsecAttributeHandling {\n"
        + "  /** Attributes that can carry what a process was given or named: the redaction stage masks them. */\n"
        + "  public static final Set<String> REDACTED = Set.of("
        + quoted(redact)
        + ");\n\n"
        + "  /** Attributes that differ between repeats of one action: the merge stage leaves them out of its key. */\n"
        + "  public static final Set<String> MERGE_VOLATILE = Set.of("
        + quoted(volatiles)
        + ");\n\n"
        + "  private KsecAttributeHandling() {}\n}\n";
  }

  /**
   * Every event's ECS categorization and its variants, in catalog order: the base first, then each
   * variant with the base's values where it gives none.
   */
  @SuppressWarnings("unchecked")
  static List<EcsCategorization> ecsCategorizations(List<Event> events) {
    List<EcsCategorization> out = new ArrayList<>();
    for (Event e : events) {
      Map<String, Object> base = e.ecs();
      for (String key : base.keySet()) {
        if (!List.of("kind", "category", "type", "action", "variants").contains(key)) {
          throw new IllegalArgumentException(e.name() + ": unknown annotations.ecs key " + key);
        }
      }
      out.add(ecs(e.name(), "", base, Map.of(), out.size()));
      Map<String, Map<String, Object>> variants =
          (Map<String, Map<String, Object>>) base.getOrDefault("variants", Map.of());
      for (var v : variants.entrySet()) {
        out.add(ecs(e.name(), v.getKey(), v.getValue(), base, out.size()));
      }
    }
    return out;
  }

  @SuppressWarnings("unchecked")
  private static EcsCategorization ecs(
      String event, String variant, Map<String, Object> own, Map<String, Object> base, int index) {
    java.util.function.Function<String, Object> get =
        k -> own.containsKey(k) ? own.get(k) : base.get(k);
    try {
      return new EcsCategorization(
          event,
          variant,
          (String) get.apply("kind"),
          (List<String>) get.apply("category"),
          (List<String>) get.apply("type"),
          (String) get.apply("action"),
          index);
    } catch (NullPointerException | ClassCastException e) {
      throw new IllegalArgumentException(
          event
              + (variant.isEmpty() ? "" : "/" + variant)
              + ": annotations.ecs needs kind, category (a list), type (a list) and action");
    }
  }

  static String ecsJava(List<Event> events) {
    StringBuilder sb =
        new StringBuilder(header())
            .append("import java.util.HashMap;\nimport java.util.List;\nimport java.util.Map;\n\n")
            .append(
                "/** The ECS categorization of every EventName and its variants. Generated from annotations.ecs in semantic-conventions/model/ksec/events.yaml. */\n")
            .append("public final class KsecEcs {\n")
            .append("  /** In catalog order; an entry's index is its position. */\n")
            .append("  public static final List<EcsCategorization> ALL =\n      List.of(\n");
    List<EcsCategorization> all = ecsCategorizations(events);
    for (int i = 0; i < all.size(); i++) {
      var c = all.get(i);
      sb.append("          new EcsCategorization(\"")
          .append(c.eventName())
          .append("\", \"")
          .append(c.variant())
          .append("\", \"")
          .append(c.kind())
          .append("\", List.of(")
          .append(quotedInline(c.category()))
          .append("), List.of(")
          .append(quotedInline(c.type()))
          .append("), \"")
          .append(c.action())
          .append("\", ")
          .append(i)
          .append(i + 1 < all.size() ? "),\n" : "));\n\n");
    }
    return sb.append(
            """
              /** For an EventName outside the catalog (KsecEcsTest: none is): an event of no category. */
              public static final EcsCategorization UNKNOWN =
                  new EcsCategorization("", "", "event", List.of(), List.of("info"), "unknown", ALL.size());

              private static final Map<String, EcsCategorization> BY_KEY = index();

              private static Map<String, EcsCategorization> index() {
                Map<String, EcsCategorization> m = new HashMap<>();
                for (EcsCategorization c : ALL) {
                  m.put(c.variant().isEmpty() ? c.eventName() : c.eventName() + '#' + c.variant(), c);
                }
                return Map.copyOf(m);
              }

              /** The categorization of an EventName; {@link #UNKNOWN} for one outside the catalog. */
              public static EcsCategorization of(String eventName) {
                EcsCategorization c = eventName == null ? null : BY_KEY.get(eventName);
                return c == null ? UNKNOWN : c;
              }

              /** A variant of an EventName's categorization; the event's own if it has no such variant. */
              public static EcsCategorization of(String eventName, String variant) {
                EcsCategorization c = BY_KEY.get(eventName + '#' + variant);
                return c == null ? of(eventName) : c;
              }

              private KsecEcs() {}
            }
            """)
        .toString();
  }

  private static String quotedInline(List<String> s) {
    return String.join(", ", s.stream().map(x -> "\"" + x + "\"").toList());
  }

  private static String quoted(java.util.Collection<String> s) {
    return String.join(",\n      ", s.stream().map(x -> "\"" + x + "\"").toList());
  }

  private static String header() {
    return "// Generated by SemconvGenerator from semantic-conventions/model. Do not edit.\npackage "
        + PACKAGE
        + ";\n\n";
  }

  private static String javadoc(String s) {
    return s.replace("*/", "* /").replace("<", "&lt;").replace(">", "&gt;").replace("@", "&#64;");
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s+", " ");
  }

  static String markdown(List<Attribute> attributes, List<Event> events) {
    StringBuilder sb =
        new StringBuilder(
            """
        <!-- Generated by SemconvGenerator from semantic-conventions/model/ksec. Do not edit: change the YAML and run the build. -->
        # Semantic conventions

        Events the agent emits and the attributes of the `ksec.*` namespace. Attributes without the
        `ksec.` prefix are OpenTelemetry's own (`process.*`, `thread.*`).

        Each record's instrumentation scope carries, besides the agent's name and version, the data
        stream of its domain (`data_stream.dataset`: `ksec.process`, `ksec.file`, `ksec.network`,
        `ksec.kernel`, `ksec.agent`) and its ECS categorization (`event.kind`, `event.category`,
        `event.type`, `event.action`, below each event): one scope per kind of record, sent once per
        batch. The Collector's elasticsearch exporter routes by the first; Elastic's rule languages
        select on the others.

        ## Events

        """);
    for (Event e : events) {
      sb.append("### `").append(e.name()).append("`\n\n").append(e.brief()).append("\n\n");
      for (EcsCategorization c : ecsCategorizations(List.of(e))) {
        sb.append(c.variant().isEmpty() ? "ECS" : "ECS, variant `" + c.variant() + "`")
            .append(": `event.kind` ")
            .append(c.kind())
            .append(" · `event.category` ")
            .append(String.join(", ", c.category()))
            .append(" · `event.type` ")
            .append(String.join(", ", c.type()))
            .append(" · `event.action` `")
            .append(c.action())
            .append("`\n\n");
      }
      sb.append("| attribute | requirement | ECS |\n|---|---|---|\n");
      for (Ref r : e.refs()) {
        String ecs =
            r.ecs().isEmpty()
                ? attributes.stream()
                    .filter(a -> a.id().equals(r.id()))
                    .map(Attribute::ecs)
                    .findFirst()
                    .orElse(r.id())
                : r.ecs();
        sb.append("| `")
            .append(r.id())
            .append("` | ")
            .append(r.requirement().replace('_', ' '))
            .append(r.condition().isEmpty() ? "" : ": " + r.condition())
            .append(" | `")
            .append(ecs)
            .append("` |\n");
      }
      sb.append('\n');
    }
    sb.append(
        "## `ksec.*` attributes\n\n| attribute | type | description | examples | ECS |\n|---|---|---|---|---|\n");
    for (Attribute a : attributes) {
      sb.append("| `")
          .append(a.id())
          .append("` | ")
          .append(a.type())
          .append(" | ")
          .append(a.brief().replace("|", "\\|"))
          .append(" | ")
          .append(
              a.examples().isEmpty()
                  ? ""
                  : "`" + a.examples().toString().replaceAll("^\\[|]$", "") + "`")
          .append(" | `")
          .append(a.ecs())
          .append("` |\n");
    }
    return sb.toString();
  }
}
