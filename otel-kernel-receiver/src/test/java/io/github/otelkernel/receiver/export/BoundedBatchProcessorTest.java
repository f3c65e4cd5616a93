package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.export.queue.DeliveryStats;
import io.github.otelkernel.receiver.memory.RecordSize;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedBatchProcessorTest {
  static final AttributeKey<String> ARGS = AttributeKey.stringKey("process.command_line");

  /** Holds the first export until released, so that everything behind it queues. */
  static final class Gate implements LogRecordExporter {
    final CountDownLatch open = new CountDownLatch(1);
    final List<LogRecordData> received = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      try {
        open.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      received.addAll(logs);
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }

  static void emit(Logger logger, String name, String args) {
    Attributes a = Attributes.of(ARGS, args);
    logger
        .logRecordBuilder()
        .setContext(RecordSize.context(RecordSize.of(a, "b")))
        .setEventName(name)
        .setBody("b")
        .setAllAttributes(a)
        .emit();
  }

  @Test
  void bytesBoundTheQueueAndEveryRecordIsDeliveredOrCounted() throws Exception {
    Gate gate = new Gate();
    DeliveryStats stats = new DeliveryStats("x");
    long one = RecordSize.of(Attributes.of(ARGS, "z".repeat(8000)), "b");
    // 100 records by count, but bytes for 20 of the large ones
    BoundedBatchProcessor p =
        new BoundedBatchProcessor(
            gate,
            Duration.ofMillis(10),
            1,
            100,
            20 * one,
            Set.of("agent.health"),
            stats,
            MeterProvider.noop());
    SdkLoggerProvider provider = SdkLoggerProvider.builder().addLogRecordProcessor(p).build();
    Logger logger = provider.get("test");
    // taken by the exporter, which holds it: still charged, since it is still in memory
    emit(logger, "process.exec", "z".repeat(8000));
    Thread.sleep(200);
    for (int i = 0; i < 50; i++) {
      emit(logger, "process.exec", "z".repeat(8000));
    }
    long[] queued = p.queued();
    assertEquals(20, queued[0], "as many as the byte budget holds");
    assertTrue(queued[1] <= 20 * one);
    assertEquals(31, stats.batchDropped());
    emit(logger, "agent.health", "z".repeat(8000));
    assertEquals(21, p.queued()[0], "the agent's health record is admitted past the bound");
    gate.open.countDown();
    provider.forceFlush().join(10, TimeUnit.SECONDS);
    assertEquals(21, gate.received.size());
    assertEquals(0, p.queued()[0]);
    assertEquals(0, p.queued()[1], "every charge came back");
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  @Test
  void recordsBoundTheQueueToo() {
    Gate gate = new Gate();
    DeliveryStats stats = new DeliveryStats("x");
    BoundedBatchProcessor p =
        new BoundedBatchProcessor(
            gate,
            Duration.ofSeconds(10),
            512,
            5,
            Long.MAX_VALUE,
            Set.of(),
            stats,
            MeterProvider.noop());
    SdkLoggerProvider provider = SdkLoggerProvider.builder().addLogRecordProcessor(p).build();
    Logger logger = provider.get("test");
    for (int i = 0; i < 8; i++) {
      emit(logger, "process.exec", "a");
    }
    assertEquals(5, p.queued()[0]);
    assertEquals(3, stats.batchDropped());
    gate.open.countDown();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    assertEquals(5, gate.received.size());
  }
}
