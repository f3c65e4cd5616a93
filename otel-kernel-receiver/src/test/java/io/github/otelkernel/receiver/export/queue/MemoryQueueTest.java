package io.github.otelkernel.receiver.export.queue;

import static io.github.otelkernel.receiver.export.queue.QueuedExporterTest.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.memory.RecordSize;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class MemoryQueueTest {
  static final Set<String> LOW = Set.of("process.exit");

  static long first(List<LogRecordData> records) {
    return records.get(0).getTimestampEpochNanos();
  }

  /** The first record of each queued batch, head first, and the queue emptied on the way. */
  static List<Long> drainFirsts(SendingQueue q) throws InterruptedException {
    List<Long> out = new ArrayList<>();
    q.drain(Duration.ZERO);
    for (Optional<QueuedBatch> h = q.awaitHead(); h.isPresent(); h = q.awaitHead()) {
      out.add(first(q.records(h.get()).orElseThrow()));
      assertTrue(q.remove(h.get()));
    }
    return out;
  }

  @Test
  void boundedInRecordsEvictingLowPriorityFirstAndCounting() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    MemoryQueue q = new MemoryQueue("otlp", stats, 30, Long.MAX_VALUE, LOW);
    assertTrue(q.offer(batch("process.exec", 0, 10))); // the head: kept, it may be in flight
    assertTrue(q.offer(batch("process.exit", 10, 10))); // low priority: goes first
    assertTrue(q.offer(batch("process.exec", 20, 10)));
    assertTrue(q.offer(batch("process.exec", 30, 10))); // needs room
    assertEquals(30, q.size());
    assertEquals(10, stats.dropped());
    assertTrue(
        q.offer(batch("process.exec", 40, 10))); // no low priority left: the oldest behind the head
    assertEquals(20, stats.dropped());
    assertEquals(List.of(0L, 30L, 40L), drainFirsts(q));
  }

  @Test
  void boundedInEstimatedBytes() throws Exception {
    List<LogRecordData> big = QueuedExporterTest.bigBatch(0, 10, 8000);
    long one = RecordSize.of(big);
    DeliveryStats stats = new DeliveryStats("otlp");
    MemoryQueue q = new MemoryQueue("otlp", stats, 1000, 3 * one + 100, LOW);
    for (int b = 0; b < 6; b++) {
      q.offer(QueuedExporterTest.bigBatch(b * 10, 10, 8000));
    }
    assertEquals(30, q.size(), "three batches fit the byte budget, though 1000 records would");
    assertEquals(30, stats.dropped());
    assertEquals(List.of(0L, 40L, 50L), drainFirsts(q));
  }

  @Test
  void aBatchLargerThanTheBoundStillGoesAlone() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    MemoryQueue q = new MemoryQueue("otlp", stats, 5, Long.MAX_VALUE, LOW);
    q.offer(batch("process.exec", 0, 3));
    q.offer(batch("process.exec", 3, 8));
    assertEquals(11, q.size(), "the head is never evicted; nothing else is left to evict");
    assertEquals(0, stats.dropped());
  }

  @Test
  void oneOfferOfMixedPriorityMakesTwoBatches() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    MemoryQueue q = new MemoryQueue("otlp", stats, 1000, Long.MAX_VALUE, LOW);
    List<LogRecordData> mixed = new ArrayList<>(batch("process.exec", 0, 2));
    mixed.addAll(batch("process.exit", 2, 2));
    mixed.addAll(batch("process.exec", 4, 1));
    mixed.addAll(batch(null, 5, 1)); // no EventName: not low priority
    q.offer(mixed);
    q.drain(Duration.ZERO);
    QueuedBatch high = q.awaitHead().orElseThrow();
    assertFalse(high.lowPriority());
    assertEquals(
        List.of(0L, 1L, 4L, 5L),
        q.records(high).orElseThrow().stream().map(LogRecordData::getTimestampEpochNanos).toList());
    q.remove(high);
    QueuedBatch low = q.awaitHead().orElseThrow();
    assertTrue(low.lowPriority());
    assertEquals(2, low.size());
  }

  @Test
  void theSenderWaitsForABatchAndEndsOnDrainOrClose() throws Exception {
    MemoryQueue q = new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    CompletableFuture<Optional<QueuedBatch>> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return q.awaitHead();
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(50);
    assertFalse(waiting.isDone());
    q.offer(batch("process.exec", 0, 1));
    assertEquals(1, waiting.get(5, TimeUnit.SECONDS).orElseThrow().size());

    MemoryQueue empty =
        new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    assertTrue(empty.drain(Duration.ofMillis(10)));
    assertTrue(empty.awaitHead().isEmpty(), "draining and empty: the sender is done");

    MemoryQueue closed =
        new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    closed.offer(batch("process.exec", 0, 1));
    closed.close();
    assertTrue(closed.awaitHead().isEmpty());
  }

  @Test
  void drainWaitsForTheSenderUpToTheTimeout() throws Exception {
    MemoryQueue q = new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    q.offer(batch("process.exec", 0, 1));
    long t0 = System.nanoTime();
    assertFalse(q.drain(Duration.ofMillis(100)), "nobody took the batch");
    assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
    QueuedBatch head = q.awaitHead().orElseThrow();
    CompletableFuture.runAsync(() -> q.remove(head));
    assertTrue(q.drain(Duration.ofSeconds(5)));
  }

  @Test
  void splitPutsTheHalvesInThePlaceOfTheHead() throws Exception {
    MemoryQueue q = new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    q.offer(batch("process.exec", 0, 5));
    q.offer(batch("process.exec", 5, 1));
    QueuedBatch head = q.awaitHead().orElseThrow();
    q.split(head, q.records(head).orElseThrow());
    assertEquals(6, q.size());
    assertFalse(q.remove(head), "the batch itself is gone");
    assertEquals(List.of(0L, 2L, 5L), drainFirsts(q));
  }

  @Test
  void whatCloseLeavesIsCountedAsFailedOnce() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    MemoryQueue q = new MemoryQueue("otlp", stats, 1000, Long.MAX_VALUE, LOW);
    q.offer(batch("process.exec", 0, 7));
    QueuedBatch inFlight = q.awaitHead().orElseThrow();
    q.close();
    q.close();
    assertEquals(7, stats.failed());
    assertEquals(0, q.size());
    assertFalse(q.remove(inFlight), "the sender finishing late does not count it again");
    assertFalse(q.offer(batch("process.exec", 7, 2)), "nobody would send it");
    assertEquals(9, stats.failed());
  }

  @Test
  void batchesAreTheirOwnEvenWithEqualRecords() throws Exception {
    MemoryQueue q = new MemoryQueue("otlp", new DeliveryStats("otlp"), 1000, Long.MAX_VALUE, LOW);
    List<LogRecordData> same = batch("process.exec", 0, 2);
    q.offer(same);
    q.offer(same);
    QueuedBatch head = q.awaitHead().orElseThrow();
    assertTrue(q.remove(head));
    assertFalse(q.remove(head), "removed once, not its twin as well");
    assertEquals(2, q.size());
    assertSame(q.awaitHead().orElseThrow(), q.awaitHead().orElseThrow());
  }

  @Test
  void refusesAnEmptyBound() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new MemoryQueue("otlp", new DeliveryStats("otlp"), 0, 1, LOW));
    assertThrows(
        IllegalArgumentException.class,
        () -> new MemoryQueue("otlp", new DeliveryStats("otlp"), 1, 0, LOW));
  }
}
