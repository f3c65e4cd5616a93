package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;

/**
 * Every loss counter of the agent, read once: what the kernel could not hand over, what a stage
 * failed on or shed, what each exporter's queues refused or its destination never got, and what
 * went out degraded (no executable hash, no process context). One snapshot, so that the stop
 * summary, agent.health and the metrics each add up: counters read one by one while events flow
 * would not.
 */
public final class LossReport {
  private static final int TYPES = RecordDecoder.EVENT_TYPES;

  /** What a stage's count means for the events in it. */
  public enum Kind {
    /** never delivered anywhere */
    LOST,
    /**
     * not delivered now, and not lost either (spooled for the next start, merged into another
     * record)
     */
    KEPT,
    /** delivered without a part (the executable's hash, the process's context) */
    DEGRADED
  }

  /** Where events are counted, in pipeline order. */
  public enum Stage {
    RING_BUFFER(Kind.LOST, "kernel", "ring_buffer_full", "kernel ring buffer full"),
    STASH(Kind.LOST, "kernel", "stash_failed", "kernel could not stash the call for its exit"),
    DECODE(Kind.LOST, "decode", "malformed", "decode failed"),
    MEMORY(Kind.LOST, "memory", "memory_limit", "shed by the memory limiter"),
    ENRICH(Kind.LOST, "enrich", "failed", "enrichment failed"),
    MAP(Kind.LOST, "map", "failed", "mapping failed"),
    BATCH_QUEUE(Kind.LOST, "batch", "batch_queue_full", "batch queue full"),
    SENDING_QUEUE(Kind.LOST, "export", "sending_queue_full", "sending queue full"),
    EXPORT(Kind.LOST, "export", "export_failed", "export failed"),
    SPOOLED(Kind.KEPT, "export", "spooled", "spooled, sent at the next start"),
    MERGED(Kind.KEPT, "policy", "merged", "merged by the policy into another record's count"),
    HASHER(Kind.DEGRADED, "hasher", "no_hash", "executable hasher gave no hash"),
    SEED(Kind.DEGRADED, "enrich", "seed_skipped", "processes from /proc not read in time"),
    PROCESS_CONTEXT(
        Kind.DEGRADED,
        "enrich",
        "context_dropped",
        "processes kept without executable and command line"),
    INCOMPLETE(
        Kind.DEGRADED,
        "map",
        "incomplete",
        "records sent with some enrichment unknown (ksec.enrichment.missing)");

    private final Kind kind;
    private final String key;
    private final String reason;
    private final String label;

    Stage(Kind kind, String key, String reason, String label) {
      this.kind = kind;
      this.key = key;
      this.reason = reason;
      this.label = label;
    }

    public Kind kind() {
      return kind;
    }

    /** The {@code stage} attribute of {@code ksec.agent.events.lost}. */
    public String key() {
      return key;
    }

    /** The {@code reason} attribute of {@code ksec.agent.events.lost}. */
    public String reason() {
      return reason;
    }

    /** What the stop summary calls it. */
    public String label() {
      return label;
    }

    /** Counted per event type (the others per exporter, per outcome, or in all). */
    public boolean byType() {
      return switch (this) {
        case RING_BUFFER, STASH, DECODE, MEMORY, ENRICH, MAP -> true;
        default -> false;
      };
    }
  }

  /** One named part of a row: an event type, an exporter or an outcome. */
  public record Count(String name, long value) {}

  /**
   * A stage's count with its non-zero parts, which add up to the total (a stage counted in all only
   * has none).
   */
  public record Row(Stage stage, long total, List<Count> parts) {
    public Row {
      parts = List.copyOf(parts);
    }
  }

  /**
   * The kernel's per-CPU counters summed, by type: ring-buffer reserves that failed, calls not
   * stashed.
   */
  public record KernelCounts(long[] ringBufferFull, long[] stashFailed) {
    public static final KernelCounts NONE = new KernelCounts(new long[0], new long[0]);

    public KernelCounts {
      ringBufferFull = ringBufferFull.clone();
      stashFailed = stashFailed.clone();
    }

    @Override
    public long[] ringBufferFull() {
      return ringBufferFull.clone();
    }

    @Override
    public long[] stashFailed() {
      return stashFailed.clone();
    }
  }

  /**
   * One exporter's delivery counters read together.
   *
   * @param sendingQueue whether it has a sending queue (dropped, spooled... only mean something
   *     then)
   * @param waiting records in its sending queue now
   */
  public record ExporterCounts(
      String id,
      boolean sendingQueue,
      long exported,
      long failed,
      long dropped,
      long batchDropped,
      long spooled,
      long recovered,
      long quarantinedFiles,
      long senderRestarts,
      long waiting) {
    static ExporterCounts of(BuiltExporter e) {
      var s = e.stats();
      return new ExporterCounts(
          e.id(),
          e.queue().isPresent(),
          s.exported(),
          s.failed(),
          s.dropped(),
          s.batchDropped(),
          s.spooled(),
          s.recovered(),
          s.quarantined(),
          s.senderRestarts(),
          e.queue().map(q -> (long) q.pending()).orElse(0L));
    }
  }

  /**
   * Where a report reads: the live counters of one agent, each read once per report.
   *
   * @param sdkQueueDropped records the SDK's batch processors refused themselves (all exporters)
   * @param merged repeats the policy folded into another record's ksec.event.count
   */
  public record Counters(
      PipelineStats stats,
      Supplier<KernelCounts> kernel,
      Supplier<List<ExporterCounts>> exporters,
      LongSupplier sdkQueueDropped,
      Supplier<ExecutableHasher.Counts> hasher,
      LongSupplier merged,
      LongSupplier seedSkipped,
      LongSupplier contextDropped,
      LongSupplier incomplete) {
    /**
     * The same counters with the kernel's and the SDK's read elsewhere: copies the poll thread
     * keeps, for readers that must not make the calls (the SDK's count is itself a metrics
     * collection, which a metrics callback must not start again).
     */
    public Counters with(Supplier<KernelCounts> otherKernel, LongSupplier otherSdkQueueDropped) {
      return new Counters(
          stats,
          otherKernel,
          exporters,
          otherSdkQueueDropped,
          hasher,
          merged,
          seedSkipped,
          contextDropped,
          incomplete);
    }
  }

  private final long[] received = new long[TYPES];
  private final Map<Stage, long[]> byType = new EnumMap<>(Stage.class);
  private final List<ExporterCounts> exporters;
  private final long sdkQueueDropped;
  private final ExecutableHasher.Counts hasher;
  private final long derived;
  private final long merged;
  private final long seedSkipped;
  private final long contextDropped;
  private final long incomplete;
  private final List<Row> rows;

  private LossReport(Counters c) {
    PipelineStats s = c.stats();
    KernelCounts k = c.kernel().get();
    long[] ring = k.ringBufferFull();
    long[] stash = k.stashFailed();
    for (Stage st : Stage.values()) {
      if (st.byType()) {
        byType.put(st, new long[TYPES]);
      }
    }
    for (int t = 0; t < TYPES; t++) {
      received[t] = s.received(t);
      byType.get(Stage.RING_BUFFER)[t] = t < ring.length ? ring[t] : 0;
      byType.get(Stage.STASH)[t] = t < stash.length ? stash[t] : 0;
      byType.get(Stage.MEMORY)[t] = s.shed(t);
      byType.get(Stage.DECODE)[t] = s.failed(PipelineStats.Stage.DECODE, t);
      byType.get(Stage.ENRICH)[t] = s.failed(PipelineStats.Stage.ENRICH, t);
      byType.get(Stage.MAP)[t] = s.failed(PipelineStats.Stage.MAP, t);
    }
    exporters = List.copyOf(c.exporters().get());
    sdkQueueDropped = c.sdkQueueDropped().getAsLong();
    hasher = c.hasher().get();
    derived = s.derived();
    merged = c.merged().getAsLong();
    seedSkipped = c.seedSkipped().getAsLong();
    contextDropped = c.contextDropped().getAsLong();
    incomplete = c.incomplete().getAsLong();
    rows = buildRows();
  }

  /** Reads every counter once. */
  public static LossReport from(Counters counters) {
    return new LossReport(counters);
  }

  /** Nothing counted yet: what the first report is compared with. */
  public static LossReport empty() {
    return from(
        new Counters(
            new PipelineStats(),
            () -> KernelCounts.NONE,
            List::of,
            () -> 0,
            () -> ExecutableHasher.Counts.NONE,
            () -> 0,
            () -> 0,
            () -> 0,
            () -> 0));
  }

  private List<Row> buildRows() {
    List<Row> out = new ArrayList<>();
    for (Stage st : Stage.values()) {
      List<Count> parts = parts(st);
      long total =
          switch (st) {
            case MERGED -> merged;
            case SEED -> seedSkipped;
            case PROCESS_CONTEXT -> contextDropped;
            case INCOMPLETE -> incomplete;
            default -> parts.stream().mapToLong(Count::value).sum();
          };
      if (total > 0) {
        out.add(new Row(st, total, parts.stream().filter(p -> p.value() > 0).toList()));
      }
    }
    return List.copyOf(out);
  }

  /**
   * A stage's counts by event type, exporter or outcome; none for the stages counted in all only.
   */
  private List<Count> parts(Stage st) {
    return switch (st) {
      case RING_BUFFER, STASH, DECODE, MEMORY, ENRICH, MAP -> {
        long[] v = byType.get(st);
        List<Count> out = new ArrayList<>();
        for (int t = 0; t < TYPES; t++) {
          out.add(new Count(typeName(t), v[t]));
        }
        yield out;
      }
      case BATCH_QUEUE -> {
        List<Count> out = new ArrayList<>(perExporter(ExporterCounts::batchDropped));
        out.add(
            new Count(
                "sdk", sdkQueueDropped)); // the SDK processors' own refusals, not told per exporter
        yield out;
      }
      case SENDING_QUEUE -> perExporter(ExporterCounts::dropped);
      case EXPORT -> perExporter(ExporterCounts::failed);
      case SPOOLED -> perExporter(ExporterCounts::spooled);
      case HASHER ->
          List.of(
              new Count("failed", hasher.failed()),
              new Count("dropped", hasher.dropped()),
              new Count("too_large", hasher.tooLarge()),
              new Count("timed_out", hasher.timedOut()));
      case MERGED, SEED, PROCESS_CONTEXT, INCOMPLETE -> List.of();
    };
  }

  private List<Count> perExporter(ToLongFunction<ExporterCounts> count) {
    return exporters.stream().map(e -> new Count(e.id(), count.applyAsLong(e))).toList();
  }

  /** A type's name as the kernel counters know it; 0 is a record whose type could not be read. */
  static String typeName(int type) {
    return type == 0
        ? "unknown"
        : EventType.byId(type).map(EventType::policyName).orElse("type" + type);
  }

  /** The stages with a non-zero count, in pipeline order. */
  public List<Row> rows() {
    return rows;
  }

  public List<Row> rows(Kind kind) {
    return rows.stream().filter(r -> r.stage().kind() == kind).toList();
  }

  /** A stage's count: for a per-type stage all types, for an exporter stage all exporters. */
  public long count(Stage stage) {
    return rows.stream().filter(r -> r.stage() == stage).mapToLong(Row::total).sum();
  }

  /** A per-type stage's count for one type (0 for the other stages). */
  public long count(Stage stage, int type) {
    long[] v = byType.get(stage);
    return v == null || type < 0 || type >= TYPES ? 0 : v[type];
  }

  public long received() {
    long n = 0;
    for (long v : received) {
      n += v;
    }
    return n;
  }

  public long received(int type) {
    return type < 0 || type >= TYPES ? 0 : received[type];
  }

  public long derived() {
    return derived;
  }

  public long merged() {
    return merged;
  }

  /** Records sent with some enrichment unknown: with received(), the share agent.health gives. */
  public long incomplete() {
    return incomplete;
  }

  /** Lost in the kernel: ring buffer full, or the call could not be stashed for its exit. */
  public long kernelLost() {
    return count(Stage.RING_BUFFER) + count(Stage.STASH);
  }

  /** Records a stage failed on: decode, enrich, map. */
  public long malformed() {
    return count(Stage.DECODE) + count(Stage.ENRICH) + count(Stage.MAP);
  }

  public long shed() {
    return count(Stage.MEMORY);
  }

  /** Records the batch queues refused: the SDK's count and each exporter's bytes gate. */
  public long queueDropped() {
    return count(Stage.BATCH_QUEUE);
  }

  /**
   * Records an exporter was given and its destination never got: failed, or evicted from its
   * sending queue.
   */
  public long exportLost() {
    return count(Stage.EXPORT) + count(Stage.SENDING_QUEUE);
  }

  /** Every lost count: a record lost at two exporters counts twice, as in agent.health. */
  public long lost() {
    return rows(Kind.LOST).stream().mapToLong(Row::total).sum();
  }

  /** Lost before any exporter had it: the same for every destination. */
  public long lostBeforeExport() {
    return kernelLost() + malformed() + shed();
  }

  /** Lost after an exporter was given it, at that exporter. */
  public long lostAt(ExporterCounts e) {
    return e.batchDropped() + e.dropped() + e.failed();
  }

  /**
   * The SDK batch processors' own refusals (part of {@link #queueDropped}, not told per exporter).
   */
  public long sdkQueueDropped() {
    return sdkQueueDropped;
  }

  public long exported() {
    return exporters.stream().mapToLong(ExporterCounts::exported).sum();
  }

  /** Records waiting in the sending queues now. */
  public long waiting() {
    return exporters.stream().mapToLong(ExporterCounts::waiting).sum();
  }

  /** The kernel's counters this report read. */
  public KernelCounts kernel() {
    return new KernelCounts(byType.get(Stage.RING_BUFFER), byType.get(Stage.STASH));
  }

  public List<ExporterCounts> exporters() {
    return exporters;
  }

  public ExecutableHasher.Counts hasher() {
    return hasher;
  }

  public long seedSkipped() {
    return seedSkipped;
  }

  public long contextDropped() {
    return contextDropped;
  }

  /** stage=count for decode, enrich and map, as agent.health carries them. */
  public List<String> failedByStage() {
    return List.of(
        "decode=" + count(Stage.DECODE),
        "enrich=" + count(Stage.ENRICH),
        "map=" + count(Stage.MAP));
  }

  /**
   * The stop summary's first line: every total by its key, zeros included, in the order scripts and
   * the integration tests read it ({@code key=N}, then {@code | exporter: key=N} per exporter).
   */
  public String headline() {
    StringBuilder sb = new StringBuilder("received=").append(received());
    List<String> types = new ArrayList<>();
    for (int t = 0; t < TYPES; t++) {
      if (received[t] > 0) {
        types.add(typeName(t) + "=" + received[t]);
      }
    }
    if (!types.isEmpty()) {
      sb.append(" (").append(String.join(" ", types)).append(')');
    }
    sb.append(" kernel_lost=")
        .append(kernelLost())
        .append(" derived=")
        .append(derived)
        .append(" merged=")
        .append(merged) // repeats folded into another record, so not records of their own
        .append(" malformed=")
        .append(malformed())
        .append(" decode_failed=")
        .append(count(Stage.DECODE))
        .append(" enrich_failed=")
        .append(count(Stage.ENRICH))
        .append(" map_failed=")
        .append(count(Stage.MAP))
        .append(" queue_dropped=")
        .append(queueDropped())
        .append(" memory_shed=")
        .append(shed())
        .append(" stash_failed=")
        .append(count(Stage.STASH));
    if (seedSkipped > 0) {
      sb.append(" seed_skipped=").append(seedSkipped);
    }
    if (contextDropped > 0) {
      sb.append(" process_context_dropped=").append(contextDropped);
    }
    sb.append(" | hasher: ").append(String.join(" ", hasher.asList()));
    for (ExporterCounts e : exporters) {
      sb.append(" | ")
          .append(e.id())
          .append(": exported=")
          .append(e.exported())
          .append(" failed=")
          .append(e.failed())
          .append(" batch_dropped=")
          .append(e.batchDropped());
      if (e.sendingQueue()) {
        sb.append(" dropped=")
            .append(e.dropped())
            .append(" spooled=")
            .append(e.spooled())
            .append(" recovered=")
            .append(e.recovered())
            .append(" quarantined_files=")
            .append(e.quarantinedFiles())
            .append(" sender_restarts=")
            .append(e.senderRestarts());
      }
    }
    return sb.toString();
  }

  /**
   * The breakdown under the headline, one line per stage with a non-zero count, stages named, parts
   * by type, exporter or outcome; then the lost total. One line per log record: the log escapes
   * line breaks.
   */
  public List<String> breakdown() {
    List<String> out = new ArrayList<>();
    for (Row r : rows) {
      StringBuilder sb =
          new StringBuilder(r.stage().kind().name().toLowerCase(java.util.Locale.ROOT))
              .append(": ")
              .append(r.stage().label())
              .append(": ")
              .append(r.total());
      if (!r.parts().isEmpty()) {
        sb.append(" (")
            .append(
                String.join(" ", r.parts().stream().map(p -> p.name() + "=" + p.value()).toList()))
            .append(')');
      }
      out.add(sb.toString());
    }
    long lost = lost();
    if (lost == 0) {
      out.add("lost: nothing");
    } else {
      List<String> at = exporters.stream().map(e -> e.id() + "=" + lostAt(e)).toList();
      out.add(
          "lost: "
              + lost
              + " in all: "
              + lostBeforeExport()
              + " before the exporters"
              + (exporters.isEmpty() ? "" : ", at the exporters " + String.join(" ", at))
              + (sdkQueueDropped > 0 ? ", sdk=" + sdkQueueDropped : ""));
    }
    return List.copyOf(out);
  }

  /**
   * What the agent's log should warn about since an earlier report: the kernel's losses (with the
   * fix for each) and the batch queues'. Empty when nothing grew.
   */
  public List<String> warningsSince(LossReport earlier, int ringBufferSizeMib) {
    List<String> out = new ArrayList<>();
    long ring = count(Stage.RING_BUFFER) - earlier.count(Stage.RING_BUFFER);
    if (ring > 0) {
      out.add(
          "kernel ring buffer was full: "
              + ring
              + " events lost ("
              + count(Stage.RING_BUFFER)
              + " in total"
              + grown(Stage.RING_BUFFER, earlier)
              + "); raise receivers.ebpf.ring_buffer_size_mib (now "
              + ringBufferSizeMib
              + ")");
    }
    long stash = count(Stage.STASH) - earlier.count(Stage.STASH);
    if (stash > 0) {
      out.add(
          "kernel could not stash "
              + stash
              + " calls for their exit ("
              + count(Stage.STASH)
              + " in total"
              + grown(Stage.STASH, earlier)
              + "): the kernel is short of memory for task storage; those events are lost");
    }
    long queue = queueDropped() - earlier.queueDropped();
    if (queue > 0) {
      out.add(
          "exporter queues were full: "
              + queue
              + " records dropped; an exporter is too slow or unreachable, or raise processors.batch.queue_size");
    }
    return out;
  }

  /**
   * "; process.exec +3 file.open +1": which types a per-type stage lost since the earlier report.
   */
  private String grown(Stage stage, LossReport earlier) {
    StringBuilder sb = new StringBuilder();
    for (int t = 0; t < TYPES; t++) {
      long d = count(stage, t) - earlier.count(stage, t);
      if (d > 0) {
        sb.append(sb.isEmpty() ? "; " : " ").append(typeName(t)).append(" +").append(d);
      }
    }
    return sb.toString();
  }
}
