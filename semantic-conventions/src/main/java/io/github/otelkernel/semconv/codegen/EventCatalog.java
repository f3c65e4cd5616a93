package io.github.otelkernel.semconv.codegen;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel side of {@code events.yaml}: each event group's {@code annotations.kernel} entries,
 * one per kernel record type, with its id, policy key, record kind, payload slots, policy defaults
 * and an example record (the input of its golden mapping test). Read once here; the C header,
 * {@code EventType}, the typed payloads and the catalog table of docs/events.md are all generated
 * from it.
 */
public record EventCatalog(List<KernelType> types) {
  /** Size of the kernel's per-type tables (drop counters, policy): every id is below it. */
  public static final int TYPE_MAX = 64;

  public static final List<String> ARG_TYPES = List.of("u64", "s64", "u32", "s32", "bool");
  public static final List<String> STRING_TYPES = List.of("path", "text", "bytes", "addr");
  private static final List<String> RECORDS = List.of("exec", "fork", "exit", "sys");
  private static final Pattern SLOT = Pattern.compile("([a-z0-9]+)(?:@([0-9]))?");
  private static final Pattern DURATION = Pattern.compile("([0-9]+)(ms|s|m)");

  /** One named slot of a payload: args[index] or string index. */
  public record Slot(String name, String type, int index) {
    public String javaName() {
      return camel(name, false);
    }
  }

  /** One kernel record type. */
  public record KernelType(
      int id,
      String constant,
      String policy,
      String eventName,
      String brief,
      String record,
      String payload,
      List<Slot> args,
      List<Slot> strings,
      boolean enabled,
      boolean switchable,
      long aggregateMillis,
      List<String> include,
      List<String> exclude,
      boolean lowPriority,
      Map<String, Object> example) {
    public boolean isSyscall() {
      return record.equals("sys");
    }
  }

  @SuppressWarnings("unchecked")
  public static EventCatalog load(Path eventsYaml) throws IOException {
    List<KernelType> out = new ArrayList<>();
    for (Map<String, Object> g : SemconvGenerator.groups(eventsYaml)) {
      Map<String, Object> ann = (Map<String, Object>) g.getOrDefault("annotations", Map.of());
      List<Map<String, Object>> kernel =
          (List<Map<String, Object>>) ann.getOrDefault("kernel", List.of());
      for (Map<String, Object> k : kernel) {
        out.add(type((String) g.get("name"), oneLine((String) g.get("brief")), k));
      }
    }
    out.sort(java.util.Comparator.comparingInt(KernelType::id));
    EventCatalog c = new EventCatalog(List.copyOf(out));
    c.validate();
    return c;
  }

  @SuppressWarnings("unchecked")
  private static KernelType type(String eventName, String brief, Map<String, Object> k) {
    Set<String> known =
        Set.of(
            "id",
            "type",
            "policy",
            "record",
            "payload",
            "args",
            "strings",
            "enabled",
            "switchable",
            "aggregate",
            "include",
            "exclude",
            "low_priority",
            "example");
    for (String key : k.keySet()) {
      if (!known.contains(key)) {
        throw new IllegalArgumentException(eventName + ": unknown kernel key " + key);
      }
    }
    String constant = (String) k.get("type");
    String record = (String) k.getOrDefault("record", "sys");
    if (!RECORDS.contains(record)) {
      throw new IllegalArgumentException(constant + ": record must be one of " + RECORDS);
    }
    String payload = (String) k.getOrDefault("payload", camel(constant, true));
    return new KernelType(
        ((Number) k.get("id")).intValue(),
        constant,
        (String) k.get("policy"),
        eventName,
        brief,
        record,
        payload,
        slots(constant, (Map<String, Object>) k.getOrDefault("args", Map.of()), ARG_TYPES, 6),
        slots(constant, (Map<String, Object>) k.getOrDefault("strings", Map.of()), STRING_TYPES, 3),
        (Boolean) k.getOrDefault("enabled", true),
        (Boolean) k.getOrDefault("switchable", true),
        millis(constant, (String) k.getOrDefault("aggregate", "0s")),
        List.copyOf((List<String>) k.getOrDefault("include", List.of())),
        List.copyOf((List<String>) k.getOrDefault("exclude", List.of())),
        (Boolean) k.getOrDefault("low_priority", false),
        (Map<String, Object>) k.getOrDefault("example", Map.of()));
  }

  /** {name: type} in slot order; "type@N" places a slot at N (earlier slots unused). */
  private static List<Slot> slots(
      String owner, Map<String, Object> spec, List<String> types, int max) {
    List<Slot> out = new ArrayList<>();
    int next = 0;
    for (Map.Entry<String, Object> e : spec.entrySet()) {
      Matcher m = SLOT.matcher(String.valueOf(e.getValue()));
      if (!m.matches() || !types.contains(m.group(1))) {
        throw new IllegalArgumentException(
            owner + "." + e.getKey() + ": type must be one of " + types + ", optionally @slot");
      }
      int index = m.group(2) == null ? next : Integer.parseInt(m.group(2));
      if (index < next || index >= max) {
        throw new IllegalArgumentException(
            owner + "." + e.getKey() + ": slot " + index + " out of order or range");
      }
      if (!e.getKey().matches("[a-z][a-z0-9_]*")) {
        throw new IllegalArgumentException(
            owner + "." + e.getKey() + ": slot names are snake_case");
      }
      out.add(new Slot(e.getKey(), m.group(1), index));
      next = index + 1;
    }
    return List.copyOf(out);
  }

  private static long millis(String owner, String d) {
    Matcher m = DURATION.matcher(d);
    if (!m.matches()) {
      throw new IllegalArgumentException(owner + ": aggregate must look like 10s, 500ms or 1m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> n;
      case "s" -> n * 1000;
      default -> n * 60_000;
    };
  }

  private void validate() {
    Set<Integer> ids = new HashSet<>();
    Set<String> constants = new HashSet<>();
    Set<String> policies = new HashSet<>();
    Map<String, KernelType> payloads = new HashMap<>();
    for (KernelType t : types) {
      if (t.id() <= 0 || t.id() >= TYPE_MAX || !ids.add(t.id())) {
        throw new IllegalArgumentException(
            t.constant() + ": id " + t.id() + " is taken or outside 1.." + (TYPE_MAX - 1));
      }
      if (t.constant() == null
          || !t.constant().matches("[A-Z][A-Z0-9_]*")
          || !constants.add(t.constant())) {
        throw new IllegalArgumentException(
            t.eventName() + ": type must be a unique UPPER_CASE name");
      }
      if (t.policy() == null || !policies.add(t.policy())) {
        throw new IllegalArgumentException(t.constant() + ": policy key missing or taken");
      }
      if (t.isSyscall() != (t.id() >= 8)) {
        throw new IllegalArgumentException(
            t.constant() + ": ids below 8 are the lifecycle records, the rest sys");
      }
      if (!t.isSyscall() && (!t.args().isEmpty() || !t.strings().isEmpty())) {
        throw new IllegalArgumentException(t.constant() + ": only sys records have payload slots");
      }
      if (t.isSyscall()) {
        KernelType same = payloads.putIfAbsent(t.payload(), t);
        if (same != null
            && (!same.args().equals(t.args()) || !same.strings().equals(t.strings()))) {
          throw new IllegalArgumentException(
              t.constant()
                  + " shares payload "
                  + t.payload()
                  + " with "
                  + same.constant()
                  + " but not its slots");
        }
      }
    }
  }

  /** Payload records, each once, in catalog order, with the kernel types that carry it. */
  public Map<String, List<KernelType>> payloads() {
    Map<String, List<KernelType>> out = new java.util.LinkedHashMap<>();
    for (KernelType t : types) {
      if (t.isSyscall()) {
        out.computeIfAbsent(t.payload(), p -> new ArrayList<>()).add(t);
      }
    }
    return out;
  }

  static String camel(String s, boolean upperFirst) {
    StringBuilder b = new StringBuilder();
    boolean up = upperFirst;
    for (char ch : s.toLowerCase(Locale.ROOT).toCharArray()) {
      if (ch == '_') {
        up = true;
      } else {
        b.append(up ? Character.toUpperCase(ch) : ch);
        up = false;
      }
    }
    return b.toString();
  }

  static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s+", " ");
  }
}
