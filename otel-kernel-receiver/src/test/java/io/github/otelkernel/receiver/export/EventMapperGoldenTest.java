package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.opentelemetry.api.common.Attributes;
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
 * Golden mapping tests: each {@code src/test/resources/mapping/NAME.input.json} describes one kernel
 * record (its type by policy key, payload slots by name); it is written in the wire layout, decoded,
 * mapped and redacted as the agent does, and the record must equal {@code NAME.expected.json}.
 * {@code -Dupdate.golden=true} rewrites the expected files (review the diff).
 */
class EventMapperGoldenTest {
  private static final Path DIR = Path.of("src/test/resources/mapping");
  private static final Path CATALOG = Path.of("../semantic-conventions/model/ksec/events.yaml");
  private static final boolean UPDATE = Boolean.getBoolean("update.golden");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  /** 2025-11-24T16:00:00Z at boot: the timestamps of every case are fixed. */
  private static final long OFFSET = 1_764_000_000_000_000_000L;

  @TestFactory
  Stream<DynamicTest> everyCaseMapsAsRecorded() throws IOException {
    RecordWriter writer = new RecordWriter(EventCatalog.load(CATALOG));
    return inputs().stream().map(in -> DynamicTest.dynamicTest(name(in), () -> check(writer, in)));
  }

  @Test
  void everyEventTypeHasACase() throws IOException {
    List<String> missing = new ArrayList<>();
    List<String> names = inputs().stream().map(EventMapperGoldenTest::name).toList();
    for (EventType t : EventType.values()) {
      if (names.stream().noneMatch(n -> n.equals(t.policyName()) || n.startsWith(t.policyName() + "-"))) {
        missing.add(t.policyName());
      }
    }
    assertTrue(missing.isEmpty(), "no golden case in " + DIR + " for " + missing);
  }

  private static List<Path> inputs() throws IOException {
    try (Stream<Path> s = Files.list(DIR)) {
      return s.filter(p -> p.getFileName().toString().endsWith(".input.json")).sorted().toList();
    }
  }

  private static String name(Path input) {
    String f = input.getFileName().toString();
    return f.substring(0, f.length() - ".input.json".length());
  }

  private static void check(RecordWriter writer, Path input) throws IOException {
    JsonNode in = JSON.readTree(input.toFile());
    KernelEvent event = new RecordDecoder().decode(writer.write(in));
    ProcessTable table = table();
    EventMapper mapper = new EventMapper(BootClock.withOffset(OFFSET), table::get, 9999);
    EventMapper.Mapped m = mapper.map(event, context(table, event));
    Redactor.Redacted r = new Redactor(true, List.of()).apply(m.attributes(), m.body());
    ObjectNode out = JSON.createObjectNode();
    out.put("eventName", m.eventName());
    out.put("timestamp", java.time.Instant.ofEpochSecond(0, m.epochNanos()).toString());
    out.put("body", r.body());
    out.set("attributes", attributes(r.attributes()));
    String actual = JSON.writeValueAsString(out) + "\n";
    Path expected = input.resolveSibling(name(input) + ".expected.json");
    if (UPDATE) {
      Files.writeString(expected, actual);
      return;
    }
    assertTrue(Files.exists(expected), expected + " is missing: run with -Dupdate.golden=true to record it");
    assertEquals(Files.readString(expected), actual, name(input) + " maps differently from " + expected);
  }

  /** The acting process's parent (bash, pid 4000) and a target (sshd, pid 777), as the table knows them. */
  private static ProcessTable table() {
    ProcessTable t = new ProcessTable("golden-host", 64, 1_000_000_000L);
    t.onExec(1, 0, 1_000_000_000L, "/usr/lib/systemd/systemd", List.of("/sbin/init"), "systemd");
    t.onExec(4000, 1, 800_000_000_000L, "/usr/bin/bash", List.of("-bash"), "bash");
    t.onExec(777, 1, 2_000_000_000L, "/usr/sbin/sshd", List.of("sshd:", "/usr/sbin/sshd", "-D"), "sshd");
    return t;
  }

  private static ProcessContext context(ProcessTable t, KernelEvent e) {
    var p = e.process();
    ProcessTable.Entry self = t.upsert(p.pid(), p.parentPid(), p.startBootNanos());
    Optional<ProcessTable.Entry> parent = t.get(p.parentPid());
    return new ProcessContext(self, parent, parent, parent.map(l -> new ProcessContext.EntryLeader(l, "terminal")),
        Optional.of("alice"), Optional.of("alice"), Optional.of("alice"), Optional.of("alice"), Optional.of("alice"),
        "/user.slice/user-1000.slice/session-3.scope", Optional.empty(), true, true,
        Optional.of("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
  }

  private static ObjectNode attributes(Attributes a) {
    Map<String, Object> sorted = new TreeMap<>();
    a.forEach((k, v) -> sorted.put(k.getKey(), v));
    ObjectNode o = JSON.createObjectNode();
    sorted.forEach((k, v) -> {
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
