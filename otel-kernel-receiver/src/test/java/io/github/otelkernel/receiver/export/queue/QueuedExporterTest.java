package io.github.otelkernel.receiver.export.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue mechanics with a destination that is down until told otherwise. The live path (agent → real
 * Collector, Collector killed and restarted) is tested in CollectorExportIT.
 */
class QueuedExporterTest {
  static final Resource RESOURCE = Resource.empty();
  static final InstrumentationScopeInfo SCOPE = InstrumentationScopeInfo.create("test");
  static final Duration FAST = Duration.ofMillis(10);

  /** A destination that refuses while down and records what it accepts. */
  static final class Destination implements LogRecordExporter {
    final AtomicBoolean up = new AtomicBoolean();
    final List<LogRecordData> received = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      if (!up.get()) {
        return CompletableResultCode.ofFailure();
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

  static List<LogRecordData> batch(String event, int from, int n) {
    List<LogRecordData> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      Attributes a =
          Attributes.of(
              AttributeKey.longKey("seq"),
              (long) i,
              AttributeKey.stringArrayKey("args"),
              List.of("a b", "ü\n"));
      out.add(
          new SpooledLogRecord(
              RESOURCE,
              SCOPE,
              i,
              i,
              SpanContext.getInvalid(),
              Severity.INFO,
              null,
              Value.of("event " + i),
              a,
              a.size(),
              event));
    }
    return out;
  }

  static final RetryPolicy RETRY = new RetryPolicy(true, FAST, FAST, Duration.ZERO);

  static QueuedExporter queue(
      Destination d, DeliveryStats stats, int maxRecords, Optional<Path> spool, long spoolBytes) {
    return queue(d, stats, maxRecords, Long.MAX_VALUE, spool, spoolBytes);
  }

  static QueuedExporter queue(
      LogRecordExporter d,
      DeliveryStats stats,
      int maxRecords,
      long maxBytes,
      Optional<Path> spool,
      long spoolBytes) {
    Set<String> low = Set.of("process.exit");
    SendingQueue q =
        spool.isPresent()
            ? new PersistentQueue("otlp", stats, spool.get(), spoolBytes, low)
            : new MemoryQueue("otlp", stats, maxRecords, maxBytes, low);
    return new QueuedExporter("otlp", d, stats, q, RETRY, Duration.ofSeconds(2));
  }

  static QueuedExporter memory(LogRecordExporter d, DeliveryStats stats, Duration drain) {
    return new QueuedExporter(
        "otlp",
        d,
        stats,
        new MemoryQueue("otlp", stats, 1000, Long.MAX_VALUE, Set.of()),
        RETRY,
        drain);
  }

  static void await(java.util.function.BooleanSupplier done) throws InterruptedException {
    for (int i = 0; i < 500 && !done.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
  }

  @Test
  void deliversInOrderOnceTheDestinationComesBack() throws Exception {
    Destination d = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 1000, Optional.empty(), 0);
    for (int b = 0; b < 5; b++) {
      assertTrue(q.export(batch("process.exec", b * 10, 10)).isSuccess());
    }
    Thread.sleep(100);
    assertEquals(0, d.received.size());
    d.up.set(true);
    await(() -> d.received.size() == 50);
    q.shutdown();
    assertEquals(50, stats.exported());
    for (int i = 0; i < 50; i++) {
      assertEquals(i, d.received.get(i).getTimestampEpochNanos());
    }
  }

  @Test
  void fullQueueEvictsOldestLowPriorityFirstAndCountsIt() throws Exception {
    Destination d = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 30, Optional.empty(), 0);
    q.export(batch("process.exec", 0, 10)); // head: kept (may be in flight)
    q.export(batch("process.exit", 10, 10)); // low priority: evicted first
    q.export(batch("process.exec", 20, 10));
    q.export(batch("process.exec", 30, 10)); // needs room
    d.up.set(true);
    await(() -> d.received.size() == 30);
    q.shutdown();
    assertEquals(10, stats.dropped());
    assertEquals(30, stats.exported());
    assertTrue(d.received.stream().noneMatch(r -> "process.exit".equals(r.getEventName())));
    assertEquals(40, stats.exported() + stats.dropped() + stats.failed());
  }

  static List<LogRecordData> bigBatch(int from, int n, int chars) {
    List<LogRecordData> out = new ArrayList<>();
    for (int i = from; i < from + n; i++) {
      Attributes a =
          Attributes.of(AttributeKey.stringKey("process.command_line"), "x".repeat(chars));
      out.add(
          new SpooledLogRecord(
              RESOURCE,
              SCOPE,
              i,
              i,
              SpanContext.getInvalid(),
              Severity.INFO,
              null,
              Value.of("event " + i),
              a,
              a.size(),
              "process.exec"));
    }
    return out;
  }

  @Test
  void memoryQueueIsBoundedInBytesAsWellAsRecords() throws Exception {
    Destination d = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    long oneBatch = io.github.otelkernel.receiver.memory.RecordSize.of(bigBatch(0, 10, 8000));
    // room for three batches of 10 records in bytes, though 1000 records would fit by count
    QueuedExporter q = queue(d, stats, 1000, 3 * oneBatch + 100, Optional.empty(), 0);
    for (int b = 0; b < 6; b++) {
      q.export(bigBatch(b * 10, 10, 8000));
    }
    assertEquals(30, q.pending(), "three batches fit the byte budget");
    assertEquals(
        30, stats.dropped(), "the oldest batches behind the head were evicted and counted");
    d.up.set(true);
    await(() -> d.received.size() == 30);
    q.shutdown();
    assertEquals(30, stats.exported());
    assertEquals(
        0, d.received.get(0).getTimestampEpochNanos(), "the head (maybe in flight) is kept");
    assertEquals(60, stats.exported() + stats.dropped() + stats.failed());
  }

  /** A destination that breaks the exporter contract: returns null, or throws an Error. */
  static final class Broken implements LogRecordExporter {
    final java.util.concurrent.atomic.AtomicInteger nulls =
        new java.util.concurrent.atomic.AtomicInteger();
    volatile boolean throwError;
    final List<LogRecordData> received = new CopyOnWriteArrayList<>();

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      if (throwError && logs.iterator().next().getTimestampEpochNanos() == 0) {
        throw new AssertionError("exporter bug");
      }
      if (nulls.getAndDecrement() > 0) {
        return null; // the sender's join on it fails outside any planned path
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

  @Test
  void aFailingSenderIsRestartedAndCountedNeverLeftDead() throws Exception {
    Broken d = new Broken();
    d.nulls.set(2);
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 1000, Long.MAX_VALUE, Optional.empty(), 0);
    q.export(batch("process.exec", 0, 5));
    await(() -> d.received.size() == 5);
    assertEquals(5, d.received.size(), "delivered after the sender was restarted");
    assertEquals(2, stats.senderRestarts());
    q.export(batch("process.exec", 5, 5));
    await(() -> d.received.size() == 10);
    q.shutdown();
    assertEquals(10, stats.exported());
  }

  @Test
  void aBatchThatKeepsKillingTheSenderIsGivenUpAndCounted() throws Exception {
    Broken d = new Broken();
    d.throwError = true; // on the batch holding record 0, every time
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 1000, Long.MAX_VALUE, Optional.empty(), 0);
    q.export(batch("process.exec", 0, 5));
    q.export(batch("process.exec", 5, 5));
    await(() -> d.received.size() == 5);
    q.shutdown();
    assertEquals(QueuedExporter.MAX_CRASHES_PER_BATCH, stats.senderRestarts());
    assertEquals(5, stats.failed(), "the poisoned batch, counted");
    assertEquals(5, stats.exported(), "the batch behind it still goes");
  }

  /** A destination answering with a gRPC status, as a Collector does. */
  static LogRecordExporter answering(
      io.opentelemetry.sdk.common.export.GrpcStatusCode code, List<LogRecordData> sink) {
    return answering(code, sink, "refused");
  }

  static LogRecordExporter answering(
      io.opentelemetry.sdk.common.export.GrpcStatusCode code,
      List<LogRecordData> sink,
      String description) {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        if (code == io.opentelemetry.sdk.common.export.GrpcStatusCode.OK) {
          sink.addAll(logs);
          return CompletableResultCode.ofSuccess();
        }
        var response =
            new io.opentelemetry.sdk.common.export.GrpcResponse() {
              @Override
              public io.opentelemetry.sdk.common.export.GrpcStatusCode getStatusCode() {
                return code;
              }

              @Override
              public String getStatusDescription() {
                return description;
              }

              @Override
              public byte[] getResponseMessage() {
                return new byte[0];
              }
            };
        return CompletableResultCode.ofExceptionalFailure(
            io.opentelemetry.exporter.internal.FailedExportException.grpcFailedWithResponse(
                response));
      }

      @Override
      public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
      }

      @Override
      public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
      }
    };
  }

  @Test
  void invalidDataIsDroppedAndCountedButAuthFailuresAreRetried() throws Exception {
    List<LogRecordData> sink = new CopyOnWriteArrayList<>();
    DeliveryStats rejected = new DeliveryStats("otlp");
    QueuedExporter q =
        memory(
            answering(io.opentelemetry.sdk.common.export.GrpcStatusCode.INVALID_ARGUMENT, sink),
            rejected,
            Duration.ofSeconds(1));
    q.export(batch("process.exec", 0, 3));
    q.export(batch("process.exec", 3, 3));
    await(() -> rejected.failed() == 6);
    q.shutdown();
    assertEquals(6, rejected.failed(), "rejected for good, not retried for ever");

    DeliveryStats unauthenticated = new DeliveryStats("otlp");
    QueuedExporter q2 =
        memory(
            answering(io.opentelemetry.sdk.common.export.GrpcStatusCode.UNAUTHENTICATED, sink),
            unauthenticated,
            Duration.ofMillis(300));
    q2.export(batch("process.exec", 0, 3));
    Thread.sleep(200);
    assertEquals(3, q2.pending(), "kept and retried until credentials are fixed");
    q2.shutdown();
  }

  @Test
  void memoryQueueLeftAtShutdownIsCountedAsLost() {
    Destination d = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 1000, Optional.empty(), 0);
    q.export(batch("process.exec", 0, 7));
    q.shutdown();
    assertEquals(7, stats.failed());
    assertEquals(0, stats.exported());
  }

  @Test
  void spoolSurvivesARestartAndRoundTripsRecordsExactly(@TempDir Path dir) throws Exception {
    Destination down = new Destination();
    DeliveryStats first = new DeliveryStats("otlp");
    QueuedExporter q1 = queue(down, first, 1000, Optional.of(dir), 1 << 20);
    q1.export(batch("process.exec", 0, 5));
    q1.export(batch("process.exit", 5, 5));
    q1.shutdown();
    assertEquals(10, first.spooled());
    assertEquals(2, Files.list(dir).count());

    Destination up = new Destination();
    up.up.set(true);
    DeliveryStats second = new DeliveryStats("otlp");
    QueuedExporter q2 = queue(up, second, 1000, Optional.of(dir), 1 << 20);
    await(() -> up.received.size() == 10);
    q2.shutdown();
    assertEquals(10, second.recovered());
    assertEquals(10, second.exported());
    LogRecordData r = up.received.get(0);
    assertEquals("process.exec", r.getEventName());
    assertEquals("event 0", r.getBodyValue().asString());
    assertEquals(List.of("a b", "ü\n"), r.getAttributes().get(AttributeKey.stringArrayKey("args")));
    assertEquals(0, Files.list(dir).count());
  }

  @Test
  void spoolIsBoundedInBytes(@TempDir Path dir) throws Exception {
    Destination d = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    long oneBatch =
        SpoolFile.HEADER_BYTES
            + OtlpLogsEncoding.encode(batch("process.exec", 40, 10)).length; // the largest
    QueuedExporter q = queue(d, stats, 1000, Optional.of(dir), oneBatch * 3);
    for (int b = 0; b < 5; b++) {
      q.export(batch(b % 2 == 0 ? "process.exec" : "process.exit", b * 10, 10));
    }
    q.shutdown();
    assertEquals(20, stats.dropped());
    assertEquals(30, stats.spooled());
    long onDisk = Files.list(dir).mapToLong(p -> p.toFile().length()).sum();
    assertTrue(onDisk <= oneBatch * 3, onDisk + " bytes on disk");
  }

  /**
   * A destination with a message limit, as a Collector's gRPC server has: RESOURCE_EXHAUSTED over
   * it.
   */
  static final class Limited implements LogRecordExporter {
    final int maxRecords;
    final List<LogRecordData> received = new CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger refused =
        new java.util.concurrent.atomic.AtomicInteger();

    Limited(int maxRecords) {
      this.maxRecords = maxRecords;
    }

    @Override
    public CompletableResultCode export(Collection<LogRecordData> logs) {
      if (logs.size() > maxRecords) {
        refused.incrementAndGet();
        return answering(
                io.opentelemetry.sdk.common.export.GrpcStatusCode.RESOURCE_EXHAUSTED,
                List.of(),
                "grpc: received message larger than max")
            .export(logs);
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

  @Test
  void aBatchOverTheMessageLimitIsSentInHalvesInOrder(@TempDir Path dir) throws Exception {
    for (Optional<Path> spool : List.of(Optional.<Path>empty(), Optional.of(dir))) {
      Limited d = new Limited(3);
      DeliveryStats stats = new DeliveryStats("otlp");
      QueuedExporter q = queue(d, stats, 1000, Long.MAX_VALUE, spool, 1 << 20);
      q.export(batch("process.exec", 0, 10));
      q.export(batch("process.exec", 10, 2));
      await(() -> d.received.size() == 12);
      q.shutdown();
      assertEquals(12, stats.exported(), spool.toString());
      assertEquals(0, stats.failed());
      for (int i = 0; i < 12; i++) {
        assertEquals(i, d.received.get(i).getTimestampEpochNanos(), "in order, " + spool);
      }
      assertTrue(d.refused.get() >= 3, "10 -> 5 + 5 -> 2 + 3 + 2 + 3");
      if (spool.isPresent()) {
        try (var files = Files.list(dir)) {
          assertEquals(0, files.count(), "halves removed once delivered");
        }
      }
    }
  }

  @Test
  void aSingleRecordOverTheLimitIsRejectedNotRetried() throws Exception {
    Limited d = new Limited(0);
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(d, stats, 1000, Long.MAX_VALUE, Optional.empty(), 0);
    q.export(batch("process.exec", 0, 2));
    await(() -> stats.failed() == 2);
    q.shutdown();
    assertEquals(2, stats.failed());
  }

  @Test
  void spoolKeepsEachRecordsOwnResourceAndScope(@TempDir Path dir) throws Exception {
    Resource host =
        Resource.create(
            Attributes.of(
                AttributeKey.stringKey("host.name"),
                "web-1",
                AttributeKey.stringKey("service.version"),
                "0.1.0"));
    InstrumentationScopeInfo scope =
        InstrumentationScopeInfo.builder("io.github.otelkernel").setVersion("0.1.0").build();
    Attributes a = Attributes.of(AttributeKey.longKey("process.pid"), 7L);
    LogRecordData r =
        new SpooledLogRecord(
            host,
            scope,
            1,
            2,
            SpanContext.getInvalid(),
            Severity.WARN,
            null,
            Value.of("x"),
            a,
            a.size(),
            "process.exec");
    Destination down = new Destination();
    DeliveryStats first = new DeliveryStats("otlp");
    QueuedExporter q1 = queue(down, first, 1000, Optional.of(dir), 1 << 20);
    q1.export(List.of(r));
    q1.shutdown();
    Destination up = new Destination();
    up.up.set(true);
    QueuedExporter q2 = queue(up, new DeliveryStats("otlp"), 1000, Optional.of(dir), 1 << 20);
    await(() -> up.received.size() == 1);
    q2.shutdown();
    assertEquals(
        host,
        up.received.get(0).getResource(),
        "not replaced by whatever resource the next run has");
    assertEquals(scope, up.received.get(0).getInstrumentationScopeInfo());
  }

  @Test
  void aSpoolFileDamagedAfterStartIsSetAsideAndTheNextBatchStillGoes(@TempDir Path dir)
      throws Exception {
    Destination down = new Destination();
    QueuedExporter q1 = queue(down, new DeliveryStats("otlp"), 1000, Optional.of(dir), 1 << 20);
    q1.export(batch("process.exec", 0, 4));
    q1.export(batch("process.exec", 4, 6));
    q1.shutdown();

    // a destination that, on its first call, damages the file of the batch behind the head
    Destination up = new Destination();
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q2 =
        queue(
            new LogRecordExporter() {
              boolean damaged;

              @Override
              public CompletableResultCode export(Collection<LogRecordData> logs) {
                if (!damaged) {
                  damaged = true;
                  try (var files = Files.list(dir)) {
                    Path second = files.sorted().skip(1).findFirst().orElseThrow();
                    byte[] b = Files.readAllBytes(second);
                    b[b.length - 1] ^= 1;
                    Files.write(second, b);
                  } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                  }
                }
                up.up.set(true);
                return up.export(logs);
              }

              @Override
              public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
              }

              @Override
              public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
              }
            },
            stats,
            1000,
            Long.MAX_VALUE,
            Optional.of(dir),
            1 << 20);
    await(() -> stats.failed() == 6);
    q2.shutdown();
    assertEquals(4, stats.exported());
    assertEquals(6, stats.failed(), "the damaged batch, counted");
    assertEquals(1, stats.quarantined());
    try (var files = Files.list(dir)) {
      assertEquals(
          List.of("0000000000000000001-hi.spool.corrupt"),
          files.map(p -> p.getFileName().toString()).toList());
    }
  }
}
