package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.decode.RecordWriter;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.policy.Redactor;
import io.github.otelkernel.semconv.codegen.EventCatalog;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributeType;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden mapping tests. The cases: every catalog entry's {@code example} (events.yaml), named by
 * its policy key, and the variants in {@code src/test/resources/mapping/NAME.input.json}. Each
 * describes one kernel record (its type by policy key, payload slots by name); it is written in the
 * wire layout, decoded, mapped and redacted as the agent does, and the record must equal {@code
 * NAME.expected.json}. {@code -Dupdate.golden=true} rewrites the expected files (review the diff).
 */
class EventMapperGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/mapping");
  private static final Path CATALOG = Path.of("../semantic-conventions/model/ksec/events.yaml");
  private static final boolean UPDATE = Boolean.getBoolean("update.golden");
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** 2025-11-24T16:00:00Z at boot: the timestamps of every case are fixed. */
  private static final long OFFSET = 1_764_000_000_000_000_000L;

  /** One case: its name (the expected file's) and the record it describes. */
  private record Case(String name, JsonNode input) {}

  @TestFactory
  Stream<DynamicTest> everyCaseMapsAsRecorded() throws IOException {
    RecordWriter writer = new RecordWriter(EventCatalog.load(CATALOG));
    return cases().stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(writer, c)));
  }

  @Test
  void everyEventTypeHasAnExample() throws IOException {
    List<String> names = cases().stream().map(Case::name).toList();
    List<String> missing = new ArrayList<>();
    for (EventType t : EventType.values()) {
      if (!names.contains(t.policyName())) {
        missing.add(t.policyName());
      }
    }
    assertTrue(
        missing.isEmpty(),
        "no example in the catalog (events.yaml, annotations.kernel) for " + missing);
  }

  @Test
  void everyExpectedFileHasItsCase() throws IOException {
    List<String> names = cases().stream().map(Case::name).toList();
    try (Stream<Path> s = Files.list(DIR)) {
      List<String> orphans =
          s.map(p -> p.getFileName().toString())
              .filter(f -> f.endsWith(".expected.json"))
              .map(f -> f.substring(0, f.length() - ".expected.json".length()))
              .filter(n -> !names.contains(n))
              .toList();
      assertTrue(orphans.isEmpty(), "expected files without a case (remove them): " + orphans);
    }
  }

  /**
   * No system-call body shows a value of its record as text: rendered with every string attribute
   * replaced by a marker, the body holds none of the original values (those of 4 characters or
   * more; shorter ones are words of the text too often). A value concatenated into the body rather
   * than referred to would escape the redaction of its attribute.
   */
  @TestFactory
  Stream<DynamicTest> noSystemCallBodyHoldsAStringAttributeAsText() throws IOException {
    RecordWriter writer = new RecordWriter(EventCatalog.load(CATALOG));
    return cases().stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> checkReferred(writer, c)));
  }

  /**
   * Names of our own, looked up from numbers, that bodies also use as words: the category, the
   * outcome, the errno name of a failure, the system call's name.
   */
  private static final List<String> OWN_WORDS =
      List.of("ksec.event.category", "ksec.event.outcome", "error.type", "ksec.syscall.name");

  private static void checkReferred(RecordWriter writer, Case c) {
    KernelEvent event = new RecordDecoder().decode(writer.write(c.input()));
    if (!(event instanceof KernelEvent.SysCall)) {
      return;
    }
    ProcessTable table = table();
    EventMapper.Mapped m =
        new EventMapper(BootClock.withOffset(OFFSET), table::get, 9999)
            .map(event, context(table, event));
    AttributesBuilder marked = m.attributes().toBuilder();
    List<String> values = new ArrayList<>();
    m.attributes()
        .forEach(
            (k, v) -> {
              if (k.getType() == AttributeType.STRING && !OWN_WORDS.contains(k.getKey())) {
                marked.put(AttributeKey.stringKey(k.getKey()), "\u0001");
                if (((String) v).length() >= 4) {
                  values.add((String) v);
                }
              }
            });
    String body = m.body().render(marked.build());
    for (String v : values) {
      assertFalse(
          body.contains(v), c.name() + ": the body shows \"" + v + "\" as text: " + m.body());
    }
  }

  private static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    for (EventCatalog.KernelType t : EventCatalog.load(CATALOG).types()) {
      if (!t.example().isEmpty()) {
        ObjectNode in = JSON.valueToTree(t.example());
        in.put("type", t.policy());
        out.add(new Case(t.policy(), in));
      }
    }
    try (Stream<Path> s = Files.list(DIR)) {
      for (Path p :
          s.filter(p -> p.getFileName().toString().endsWith(".input.json")).sorted().toList()) {
        String f = p.getFileName().toString();
        out.add(
            new Case(
                f.substring(0, f.length() - ".input.json".length()), JSON.readTree(p.toFile())));
      }
    }
    return out;
  }

  private static void check(RecordWriter writer, Case c) throws IOException {
    JsonNode in = c.input();
    KernelEvent event = new RecordDecoder().decode(writer.write(in));
    ProcessTable table = table();
    EventMapper mapper = new EventMapper(BootClock.withOffset(OFFSET), table::get, 9999);
    EventMapper.Mapped m = mapper.map(event, context(table, event));
    Redactor.Redacted r = LogRecordMapper.redactAndRender(new Redactor(true, List.of()), m);
    ObjectNode out = JSON.createObjectNode();
    out.put("eventName", m.eventName());
    out.put("timestamp", java.time.Instant.ofEpochSecond(0, m.epochNanos()).toString());
    out.put("body", r.body());
    // the scope attributes the record leaves with: its data stream and ECS categorization
    ObjectNode scope = out.putObject("scope");
    io.github.otelkernel.receiver.export.EcsScopes.attributes(m.ecs())
        .forEach((k, v) -> scope.set(k.getKey(), JSON.valueToTree(v)));
    out.set("attributes", attributes(r.attributes()));
    String actual = JSON.writeValueAsString(out) + "\n";
    Path expected = DIR.resolve(c.name() + ".expected.json");
    if (UPDATE) {
      Files.writeString(expected, actual);
      return;
    }
    assertTrue(
        Files.exists(expected),
        expected + " is missing: run with -Dupdate.golden=true to record it");
    assertEquals(
        Files.readString(expected), actual, c.name() + " maps differently from " + expected);
  }

  /**
   * The acting process's parent (bash, pid 4000) and a target (sshd, pid 777), as the table knows
   * them.
   */
  private static ProcessTable table() {
    ProcessTable t = new ProcessTable("golden-host", 64, 1_000_000_000L);
    t.onExec(1, 0, 1_000_000_000L, "/usr/lib/systemd/systemd", List.of("/sbin/init"), "systemd");
    t.onExec(4000, 1, 800_000_000_000L, "/usr/bin/bash", List.of("-bash"), "bash");
    t.onExec(
        777, 1, 2_000_000_000L, "/usr/sbin/sshd", List.of("sshd:", "/usr/sbin/sshd", "-D"), "sshd");
    return t;
  }

  private static ProcessContext context(ProcessTable t, KernelEvent e) {
    var p = e.process();
    ProcessTable.Entry self = t.upsert(p.pid(), p.parentPid(), p.startBootNanos());
    Optional<ProcessTable.Entry> parent = t.get(p.parentPid());
    return new ProcessContext(
        self,
        parent,
        parent,
        parent.map(l -> new ProcessContext.EntryLeader(l, "terminal")),
        Optional.of("alice"),
        Optional.of("alice"),
        Optional.of("alice"),
        Optional.of("alice"),
        Optional.of("alice"),
        "/user.slice/user-1000.slice/session-3.scope",
        Optional.empty(),
        true,
        true,
        Optional.of("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
  }

  private static ObjectNode attributes(Attributes a) {
    Map<String, Object> sorted = new TreeMap<>();
    a.forEach((k, v) -> sorted.put(k.getKey(), v));
    ObjectNode o = JSON.createObjectNode();
    sorted.forEach(
        (k, v) -> {
          if (v instanceof List<?> list) {
            ArrayNode arr = o.putArray(k);
            list.forEach(x -> arr.add(JSON.valueToTree(x)));
          } else {
            o.set(k, JSON.valueToTree(v));
          }
        });
    return o;
  }
}
