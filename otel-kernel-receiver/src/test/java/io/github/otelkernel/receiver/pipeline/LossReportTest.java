package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.pipeline.LossReport.Count;
import io.github.otelkernel.receiver.pipeline.LossReport.Counters;
import io.github.otelkernel.receiver.pipeline.LossReport.ExporterCounts;
import io.github.otelkernel.receiver.pipeline.LossReport.KernelCounts;
import io.github.otelkernel.receiver.pipeline.LossReport.Kind;
import io.github.otelkernel.receiver.pipeline.LossReport.Row;
import io.github.otelkernel.receiver.pipeline.LossReport.Stage;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Reports from counters set by hand: every stage, types far beyond the process lifecycle. */
class LossReportTest {
  private static final int TYPES = RecordDecoder.EVENT_TYPES;

  /** Two system-call types from the catalog, the last ones: well beyond exec, fork and exit. */
  private static final List<EventType> SYS =
      Arrays.stream(EventType.values()).filter(EventType::isSyscall).toList();

  private static final EventType LAST = SYS.get(SYS.size() - 1);
  private static final EventType OTHER = SYS.get(SYS.size() - 2);

  private final PipelineStats stats = new PipelineStats();
  private final long[] ring = new long[TYPES];
  private final long[] stash = new long[TYPES];

  private static ExporterCounts file(long exported, long failed, long batchDropped) {
    return new ExporterCounts("file", false, exported, failed, 0, batchDropped, 0, 0, 0, 0, 0);
  }

  /** An otlp exporter with a sending queue: dropped 4, spooled 6, 3 waiting. */
  private static ExporterCounts otlp(long exported, long failed) {
    return new ExporterCounts("otlp", true, exported, failed, 4, 2, 6, 1, 1, 0, 3);
  }

  private Counters counters(
      List<ExporterCounts> exporters, long sdk, ExecutableHasher.Counts hasher) {
    return new Counters(
        stats,
        () -> new KernelCounts(ring, stash),
        () -> exporters,
        () -> sdk,
        () -> hasher,
        () -> 9,
        () -> 2,
        () -> 5,
        () -> 7);
  }

  /** Losses at every stage: kernel, decode, memory, enrich, map, batch, sending queue, export. */
  private LossReport everywhere() {
    stats.received.addAndGet(1, 10);
    stats.received.addAndGet(LAST.id(), 100);
    stats.received.addAndGet(OTHER.id(), 50);
    ring[LAST.id()] = 7;
    ring[1] = 1;
    stash[OTHER.id()] = 3;
    stats.fail(PipelineStats.Stage.DECODE, LAST.id());
    stats.fail(PipelineStats.Stage.DECODE, 0); // too short to name its type
    stats.fail(PipelineStats.Stage.ENRICH, OTHER.id());
    stats.fail(PipelineStats.Stage.MAP, LAST.id());
    stats.shed.addAndGet(LAST.id(), 11);
    stats.derived.addAndGet(4);
    return LossReport.from(
        counters(
            List.of(file(140, 1, 5), otlp(120, 8)),
            3,
            new ExecutableHasher.Counts(20, 30, 2, 1, 1, 4, 1)));
  }

  @Test
  void everyStageIsCountedWithItsTypesOrExporters() {
    LossReport r = everywhere();
    assertEquals(8, r.count(Stage.RING_BUFFER));
    assertEquals(7, r.count(Stage.RING_BUFFER, LAST.id()));
    assertEquals(3, r.count(Stage.STASH, OTHER.id()));
    assertEquals(2, r.count(Stage.DECODE));
    assertEquals(1, r.count(Stage.DECODE, 0));
    assertEquals(1, r.count(Stage.ENRICH, OTHER.id()));
    assertEquals(1, r.count(Stage.MAP, LAST.id()));
    assertEquals(11, r.count(Stage.MEMORY, LAST.id()));
    assertEquals(5 + 2 + 3, r.count(Stage.BATCH_QUEUE), "both exporters' gates and the SDK's own");
    assertEquals(4, r.count(Stage.SENDING_QUEUE));
    assertEquals(1 + 8, r.count(Stage.EXPORT));
    assertEquals(6, r.count(Stage.SPOOLED));
    assertEquals(9, r.count(Stage.MERGED));
    assertEquals(2 + 1 + 1 + 1, r.count(Stage.HASHER), "failed, dropped, too large, timed out");
    assertEquals(2, r.count(Stage.SEED));
    assertEquals(5, r.count(Stage.PROCESS_CONTEXT));
    assertEquals(7, r.count(Stage.INCOMPLETE));
    assertEquals(7, r.incomplete());
    assertEquals(160, r.received());
    assertEquals(100, r.received(LAST.id()));
    assertEquals(3, r.waiting());
    assertEquals(260, r.exported());
    for (Stage st : Stage.values()) {
      assertTrue(r.rows().stream().anyMatch(row -> row.stage() == st), st + " has a row");
    }
  }

  @Test
  void totalsAgreeWithTheRowsAndWithEachOther() {
    LossReport r = everywhere();
    long lostRows = r.rows(Kind.LOST).stream().mapToLong(Row::total).sum();
    assertEquals(lostRows, r.lost());
    assertEquals(
        r.kernelLost() + r.malformed() + r.shed() + r.queueDropped() + r.exportLost(),
        r.lost(),
        "the sum agent.health makes");
    long atExporters = r.exporters().stream().mapToLong(r::lostAt).sum();
    assertEquals(r.lost(), r.lostBeforeExport() + atExporters + r.sdkQueueDropped());
    for (Row row : r.rows()) {
      if (!row.parts().isEmpty()) {
        assertEquals(
            row.total(), row.parts().stream().mapToLong(Count::value).sum(), row.toString());
      }
    }
    // per type: the typed stages' rows add up to the type's counts
    long lastLost = 0;
    for (Stage st : Stage.values()) {
      lastLost += r.count(st, LAST.id());
    }
    assertEquals(7 + 1 + 1 + 11, lastLost);
  }

  @Test
  void zeroRowsAndZeroPartsAreLeftOut() {
    ring[LAST.id()] = 2;
    LossReport r =
        LossReport.from(
            new Counters(
                stats,
                () -> new KernelCounts(ring, stash),
                () -> List.of(file(0, 0, 0)),
                () -> 0,
                () -> ExecutableHasher.Counts.NONE,
                () -> 0,
                () -> 0,
                () -> 0,
                () -> 0));
    assertEquals(
        List.of(new Row(Stage.RING_BUFFER, 2, List.of(new Count(LAST.policyName(), 2)))), r.rows());
    assertEquals(
        List.of(
            "lost: " + Stage.RING_BUFFER.label() + ": 2 (" + LAST.policyName() + "=2)",
            "lost: 2 in all: 2 before the exporters, at the exporters file=0"),
        r.breakdown());
  }

  @Test
  void nothingLostSaysSoInOneLine() {
    LossReport r = LossReport.empty();
    assertTrue(r.rows().isEmpty());
    assertEquals(List.of("lost: nothing"), r.breakdown());
    assertEquals(0, r.lost());
  }

  @Test
  void theBreakdownNamesEveryStageAndItsTypesBeyondTheProcessLifecycle() {
    List<String> lines = everywhere().breakdown();
    String all = String.join("\n", lines);
    for (Stage st : Stage.values()) {
      assertTrue(all.contains(st.label()), st + " in\n" + all);
    }
    assertTrue(
        all.contains(
            "lost: "
                + Stage.RING_BUFFER.label()
                + ": 8 (process.exec=1 "
                + LAST.policyName()
                + "=7)"),
        all);
    assertTrue(
        all.contains(
            "lost: " + Stage.DECODE.label() + ": 2 (unknown=1 " + LAST.policyName() + "=1)"),
        all);
    assertTrue(
        all.contains("lost: " + Stage.BATCH_QUEUE.label() + ": 10 (file=5 otlp=2 sdk=3)"), all);
    assertTrue(all.contains("kept: " + Stage.SPOOLED.label() + ": 6 (otlp=6)"), all);
    assertTrue(all.contains("kept: " + Stage.MERGED.label() + ": 9"), all);
    assertTrue(
        all.contains(
            "degraded: "
                + Stage.HASHER.label()
                + ": 5 (failed=2 dropped=1 too_large=1 timed_out=1)"),
        all);
    assertEquals(
        "lost: 49 in all: 26 before the exporters, at the exporters file=6 otlp=14, sdk=3",
        lines.get(lines.size() - 1));
    assertTrue(lines.stream().noneMatch(l -> l.contains("\n")), "one line per log record");
  }

  /**
   * The stop line's keys, read the way the integration tests read them (AgentProcess.summaryCount).
   */
  private static long key(String line, String key, String exporter) {
    if (exporter != null) {
      int at = line.indexOf("| " + exporter + ": ");
      int end = line.indexOf(" | ", at + 2);
      line = line.substring(at, end < 0 ? line.length() : end);
    }
    Matcher m = Pattern.compile("\\b" + Pattern.quote(key) + "=(\\d+)").matcher(line);
    assertTrue(m.find(), key + " in " + line);
    return Long.parseLong(m.group(1));
  }

  @Test
  void theHeadlineKeepsEveryKeyItAlwaysHadZerosIncluded() {
    String zero = LossReport.empty().headline();
    for (String k :
        List.of(
            "received",
            "kernel_lost",
            "derived",
            "merged",
            "malformed",
            "decode_failed",
            "enrich_failed",
            "map_failed",
            "queue_dropped",
            "memory_shed",
            "stash_failed",
            "hashed",
            "refused")) {
      assertEquals(0, key(zero, k, null), k);
    }
    String h = everywhere().headline();
    assertEquals(160, key(h, "received", null));
    assertEquals(11, key(h, "kernel_lost", null), "ring buffer and stash");
    assertEquals(3, key(h, "stash_failed", null));
    assertEquals(4, key(h, "malformed", null));
    assertEquals(10, key(h, "queue_dropped", null));
    assertEquals(11, key(h, "memory_shed", null));
    assertEquals(2, key(h, "seed_skipped", null));
    assertEquals(5, key(h, "process_context_dropped", null));
    assertEquals(2, key(h, "failed", null), "the first failed= is the hasher's, as before");
    assertEquals(140, key(h, "exported", "file"));
    assertEquals(5, key(h, "batch_dropped", "file"));
    assertFalse(
        h.substring(h.indexOf("| file: ")).split(" \\| ")[0].contains("spooled="),
        "no sending queue");
    assertEquals(8, key(h, "failed", "otlp"));
    assertEquals(4, key(h, "dropped", "otlp"));
    assertEquals(6, key(h, "spooled", "otlp"));
    assertEquals(1, key(h, "recovered", "otlp"));
    assertEquals(1, key(h, "quarantined_files", "otlp"));
    assertTrue(
        h.startsWith(
            "received=160 (process.exec=10 "
                + OTHER.policyName()
                + "=50 "
                + LAST.policyName()
                + "=100) "),
        h);
  }

  @Test
  void warningsNameWhatGrewAndTheFix() {
    LossReport before = everywhere();
    assertEquals(List.of(), before.warningsSince(before, 16));
    ring[LAST.id()] += 5;
    stash[OTHER.id()] += 1;
    LossReport after =
        LossReport.from(
            counters(List.of(file(140, 1, 6), otlp(120, 8)), 3, ExecutableHasher.Counts.NONE));
    List<String> w = after.warningsSince(before, 16);
    assertEquals(3, w.size(), w.toString());
    assertTrue(
        w.get(0)
            .startsWith(
                "kernel ring buffer was full: 5 events lost (13 in total; "
                    + LAST.policyName()
                    + " +5)"),
        w.get(0));
    assertTrue(w.get(0).endsWith("raise receivers.ebpf.ring_buffer_size_mib (now 16)"), w.get(0));
    assertTrue(w.get(1).startsWith("kernel could not stash 1 calls for their exit"), w.get(1));
    assertTrue(w.get(2).startsWith("exporter queues were full: 1 records dropped"), w.get(2));
  }

  @Test
  void aReportIsASnapshotNotAView() {
    AtomicLong merged = new AtomicLong(1);
    LossReport r =
        LossReport.from(
            new Counters(
                stats,
                () -> new KernelCounts(ring, stash),
                List::of,
                () -> 0,
                () -> ExecutableHasher.Counts.NONE,
                merged::get,
                () -> 0,
                () -> 0,
                () -> 0));
    ring[2] = 40;
    stats.received.incrementAndGet(2);
    merged.set(50);
    r.kernel().ringBufferFull()[2] = 99;
    assertEquals(0, r.kernelLost());
    assertEquals(0, r.received());
    assertEquals(1, r.merged());
    assertEquals(0, r.kernel().ringBufferFull()[2]);
  }

  @Test
  void otherKernelAndSdkReadingsReplaceOnlyThose() {
    ring[1] = 5;
    Counters live = counters(List.of(file(1, 0, 0)), 7, ExecutableHasher.Counts.NONE);
    LossReport cached = LossReport.from(live.with(() -> KernelCounts.NONE, () -> 0));
    assertEquals(0, cached.kernelLost());
    assertEquals(0, cached.queueDropped());
    assertEquals(9, cached.merged());
    assertEquals(1, cached.exported());
    assertEquals(5, LossReport.from(live).kernelLost());
  }

  @Test
  void typesOutsideTheCatalogAreStillNamed() {
    int missing = 0;
    for (int t = 1; t < TYPES; t++) {
      if (EventType.byId(t).isEmpty()) {
        missing = t;
        break;
      }
    }
    assertTrue(missing > 0, "the catalog has gaps");
    ring[missing] = 1;
    LossReport r = LossReport.from(counters(List.of(), 0, ExecutableHasher.Counts.NONE));
    assertEquals(List.of(new Count("type" + missing, 1)), r.rows().get(0).parts());
  }
}
