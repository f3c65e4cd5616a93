package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.pipeline.PipelineStats.Stage;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongConsumer;
import java.util.logging.Logger;

/**
 * One kernel record through the agent's stages, on the poll thread: decode, the memory limiter,
 * enrich, map. Nothing a record holds may end the stream: a stage's failure is counted against the
 * record's type and the record skipped.
 */
final class RecordHandler implements Consumer<byte[]> {
  private static final Logger LOG = Logger.getLogger(RecordHandler.class.getName());

  /** Failures logged per stage, one line each; the rest are counted only. */
  static final int LOGGED_PER_STAGE = 10;

  private final PipelineStats stats;
  private final Function<byte[], KernelEvent> decoder;
  private final MemoryLimiter limiter;
  private final boolean[] lowPriority = new boolean[RecordDecoder.EVENT_TYPES];
  private final Function<KernelEvent, ProcessContext> enricher;
  private final BiConsumer<KernelEvent, ProcessContext> mapper;
  private final LongConsumer progress;

  /**
   * @param lowPriority the policy names of the types the memory limiter sheds first
   * @param progress told the time of each record, so a long drain is not taken for a stall
   */
  RecordHandler(
      PipelineStats stats,
      Function<byte[], KernelEvent> decoder,
      MemoryLimiter limiter,
      Set<String> lowPriority,
      Function<KernelEvent, ProcessContext> enricher,
      BiConsumer<KernelEvent, ProcessContext> mapper,
      LongConsumer progress) {
    this.stats = stats;
    this.decoder = decoder;
    this.limiter = limiter;
    this.enricher = enricher;
    this.mapper = mapper;
    this.progress = progress;
    for (int t = 0; t < this.lowPriority.length; t++) {
      this.lowPriority[t] = lowPriority.contains(RecordDecoder.typeName(t));
    }
  }

  @Override
  public void accept(byte[] record) {
    long now = System.nanoTime();
    progress.accept(now);
    KernelEvent event;
    try {
      event = decoder.apply(record);
    } catch (RuntimeException e) { // MalformedRecordException, or a decoder bug on an odd record
      int declared = RecordDecoder.declaredType(record);
      failed(Stage.DECODE, declared, "skipped a kernel record that could not be decoded", e);
      return;
    }
    int type = typeOf(event);
    stats.received.incrementAndGet(type);
    if (!limiter.admit(lowPriority[type], now)) {
      stats.shed.incrementAndGet(
          type); // the heap is near its limit: counted, not an OutOfMemoryError
      return;
    }
    ProcessContext ctx;
    try {
      ctx = enricher.apply(event);
    } catch (RuntimeException e) {
      failed(
          Stage.ENRICH, type, "could not enrich a " + RecordDecoder.typeName(type) + " event", e);
      return;
    }
    try {
      mapper.accept(event, ctx);
    } catch (RuntimeException e) {
      failed(Stage.MAP, type, "could not map a " + RecordDecoder.typeName(type) + " event", e);
    }
  }

  /** The kernel's type id of a decoded event (the lifecycle records' ids are fixed in events.h). */
  static int typeOf(KernelEvent event) {
    return switch (event) {
      case KernelEvent.ProcessExec x -> 1;
      case KernelEvent.ProcessFork f -> 2;
      case KernelEvent.ProcessExit x -> 3;
      case KernelEvent.SysCall s -> s.type().id();
    };
  }

  private void failed(Stage stage, int type, String what, RuntimeException e) {
    if (stats.fail(stage, type) <= LOGGED_PER_STAGE) {
      LOG.warning(what + " (" + stage.key() + "): " + e);
    }
  }
}
