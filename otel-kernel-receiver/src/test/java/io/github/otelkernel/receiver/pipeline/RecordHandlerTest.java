package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.decode.Credentials;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.MalformedRecordException;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.pipeline.PipelineStats.Stage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Each stage's failure counted against the record's type; the decoder, enricher and mapper
 * stand-ins.
 */
class RecordHandlerTest {
  private static final EventType SYS =
      Arrays.stream(EventType.values())
          .filter(EventType::isSyscall)
          .reduce((a, b) -> b)
          .orElseThrow();
  private static final ProcessInfo PROCESS =
      new ProcessInfo(
          1,
          42,
          42,
          1,
          new Credentials(0, 0, 0, 0, Credentials.UNSET),
          0,
          0,
          RawBytes.EMPTY,
          0,
          0,
          42,
          0,
          0,
          "");
  private static final KernelEvent FORK = new KernelEvent.ProcessFork(PROCESS, 42);
  private static final KernelEvent CALL =
      new KernelEvent.SysCall(PROCESS, SYS, 0, new long[6], 0, List.of(), 0);

  private final PipelineStats stats = new PipelineStats();
  private final AtomicLong heap = new AtomicLong();
  private final MemoryLimiter limiter = new MemoryLimiter(heap::get, 1000, 90, 15);
  private final List<KernelEvent> mapped = new ArrayList<>();
  private final AtomicLong progress = new AtomicLong();

  private RecordHandler handler(
      Function<byte[], KernelEvent> decoder, Function<KernelEvent, ProcessContext> enricher) {
    return new RecordHandler(
        stats,
        decoder,
        limiter,
        Set.of("process.fork"),
        enricher,
        (e, ctx) -> {
          if (e == CALL && ctx == null) {
            throw new IllegalStateException("mapper bug");
          }
          mapped.add(e);
        },
        progress::set);
  }

  /** The header's type field, as the kernel writes it. */
  private static byte[] recordOfType(int type) {
    return ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putShort(0, (short) type).array();
  }

  @Test
  void aRecordTheDecoderRefusesIsCountedAgainstTheTypeItsHeaderNames() {
    RecordHandler h =
        handler(
            r -> {
              throw new MalformedRecordException("short");
            },
            e -> null);
    h.accept(recordOfType(SYS.id()));
    h.accept(new byte[1]); // too short to name one
    h.accept(recordOfType(60_000)); // beyond the kernel's counters
    assertEquals(3, stats.failed(Stage.DECODE));
    assertEquals(1, stats.failed(Stage.DECODE, SYS.id()));
    assertEquals(2, stats.failed(Stage.DECODE, 0));
    assertEquals(0, stats.received());
    assertTrue(progress.get() > 0, "each record is progress");
  }

  @Test
  void enrichAndMapFailuresAreCountedByTypeAndTheStreamGoesOn() {
    RecordHandler h =
        handler(
            r -> r[0] == 2 ? FORK : CALL,
            e -> {
              if (e == FORK) {
                throw new IllegalStateException("enricher bug");
              }
              return null; // the stand-in mapper fails on a call without context
            });
    h.accept(new byte[] {2});
    h.accept(new byte[] {9});
    assertEquals(1, stats.received(2));
    assertEquals(1, stats.received(SYS.id()));
    assertEquals(1, stats.failed(Stage.ENRICH, 2));
    assertEquals(1, stats.failed(Stage.MAP, SYS.id()));
    assertEquals(2, stats.malformed());
    assertEquals(List.of(), mapped);
  }

  @Test
  void theMemoryLimiterShedsLowPriorityTypesFirstAndCountsThem() {
    RecordHandler h = handler(r -> r[0] == 2 ? FORK : CALL, e -> null);
    heap.set(800); // past the soft limit: low priority (process.fork here) goes
    h.accept(new byte[] {2});
    assertEquals(1, stats.shed(2));
    assertEquals(1, stats.received(2), "received, then shed: both counted");
    heap.set(950); // past the hard limit: everything goes
    try {
      Thread.sleep(
          MemoryLimiter.CHECK_NANOS / 1_000_000 + 10); // the heap is read at most that often
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    h.accept(new byte[] {9});
    assertEquals(1, stats.shed(SYS.id()));
    assertEquals(List.of(), mapped);
  }

  @Test
  void aRecordThatPassesEveryStageIsMapped() {
    RecordHandler h = handler(r -> FORK, e -> null);
    h.accept(new byte[] {2});
    assertEquals(List.of(FORK), mapped);
    assertEquals(0, stats.malformed());
    assertEquals(2, RecordHandler.typeOf(FORK));
    assertEquals(SYS.id(), RecordHandler.typeOf(CALL));
  }
}
