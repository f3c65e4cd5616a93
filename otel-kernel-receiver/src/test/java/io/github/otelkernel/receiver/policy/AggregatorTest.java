package io.github.otelkernel.receiver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatorTest {
  private final List<Aggregator.Pending> out = new ArrayList<>();

  private static Aggregator.Pending open(String path, long t) {
    return new Aggregator.Pending(
        "file.open",
        t,
        "opened " + path,
        Attributes.builder().put("file.path", path).put("thread.id", t).build(),
        io.github.otelkernel.semconv.KsecEcs.of("file.open"));
  }

  @Test
  void theFirstOccurrenceLeavesAtOnceAndTheRepeatsAsOneRecord() {
    Aggregator a = new Aggregator(16, out::add);
    a.offer(open("/etc/passwd", 1), 1_000, 0);
    assertEquals(1, out.size(), "the first occurrence is not held: a kill now loses nothing seen");
    for (int i = 2; i <= 5; i++) {
      a.offer(open("/etc/passwd", i), 1_000, 10);
    }
    assertEquals(1, out.size());
    a.flushExpired(2_000);
    assertEquals(2, out.size());
    Aggregator.Pending summary = out.get(1);
    assertEquals(4L, summary.attributes().get(AttributeKey.longKey("ksec.event.count")));
    assertEquals(2L, summary.epochNanos(), "the summary starts at the first repeat");
    assertEquals(3, a.merged(), "five events, two records");
    assertEquals(0, a.bytes());
  }

  @Test
  void aSingleRepeatIsItsOwnRecordAndNoRepeatMeansNoSecondRecord() {
    Aggregator a = new Aggregator(16, out::add);
    a.offer(open("/a", 1), 1_000, 0);
    a.offer(open("/a", 2), 1_000, 0);
    a.offer(open("/b", 3), 1_000, 0);
    a.flushAll();
    assertEquals(List.of(1L, 3L, 2L), out.stream().map(Aggregator.Pending::epochNanos).toList());
    assertTrue(
        out.stream()
            .allMatch(p -> p.attributes().get(AttributeKey.longKey("ksec.event.count")) == null));
  }

  @Test
  void theWindowsAreBoundedInBytesAndCloseEarlyRatherThanLose() {
    long budget = 64 * 1024;
    Aggregator a = new Aggregator(1_000_000, budget, out::add);
    String longPath = "/" + "x".repeat(4000);
    for (int i = 0; i < 1_000; i++) {
      a.offer(open(longPath + i, 2L * i), 60_000_000_000L, 0);
      a.offer(open(longPath + i, 2L * i + 1), 60_000_000_000L, 0);
      assertTrue(a.bytes() <= budget, "held " + a.bytes());
    }
    a.flushAll();
    assertEquals(2_000, out.size(), "every event is a record: closing early loses nothing");
  }
}
