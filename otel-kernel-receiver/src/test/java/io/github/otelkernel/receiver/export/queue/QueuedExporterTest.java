package io.github.otelkernel.receiver.export.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.export.DeliveryStats;
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
 * Queue mechanics with a destination that is down until told otherwise. The live path (agent →
 * real Collector, Collector killed and restarted) is tested in CollectorExportIT.
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
      Attributes a = Attributes.of(AttributeKey.longKey("seq"), (long) i, AttributeKey.stringArrayKey("args"),
          List.of("a b", "ü\n"));
      out.add(new SpooledLogRecord(RESOURCE, SCOPE, i, i, SpanContext.getInvalid(), Severity.INFO, null,
          Value.of("event " + i), a, a.size(), event));
    }
    return out;
  }

  static QueuedExporter queue(Destination d, DeliveryStats stats, int maxRecords, Optional<Path> spool, long spoolBytes) {
    return queue(d, stats, maxRecords, Long.MAX_VALUE, spool, spoolBytes);
  }

  static QueuedExporter queue(LogRecordExporter d, DeliveryStats stats, int maxRecords, long maxBytes,
      Optional<Path> spool, long spoolBytes) {
    return new QueuedExporter("otlp", d, stats,
        new QueuedExporter.QueueSettings(maxRecords, maxBytes, spool, spoolBytes, Set.of("process.exit"),
            Duration.ofSeconds(2)),
        new QueuedExporter.RetrySettings(true, FAST, FAST, Duration.ZERO), RESOURCE, SCOPE);
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
      Attributes a = Attributes.of(AttributeKey.stringKey("process.command_line"), "x".repeat(chars));
      out.add(new SpooledLogRecord(RESOURCE, SCOPE, i, i, SpanContext.getInvalid(), Severity.INFO, null,
          Value.of("event " + i), a, a.size(), "process.exec"));
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
    assertEquals(30, stats.dropped(), "the oldest batches behind the head were evicted and counted");
    d.up.set(true);
    await(() -> d.received.size() == 30);
    q.shutdown();
    assertEquals(30, stats.exported());
    assertEquals(0, d.received.get(0).getTimestampEpochNanos(), "the head (maybe in flight) is kept");
    assertEquals(60, stats.exported() + stats.dropped() + stats.failed());
  }

  /** A destination that breaks the exporter contract: returns null, or throws an Error. */
  static final class Broken implements LogRecordExporter {
    final java.util.concurrent.atomic.AtomicInteger nulls = new java.util.concurrent.atomic.AtomicInteger();
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
  static LogRecordExporter answering(io.opentelemetry.sdk.common.export.GrpcStatusCode code, List<LogRecordData> sink) {
    return new LogRecordExporter() {
      @Override
      public CompletableResultCode export(Collection<LogRecordData> logs) {
        if (code == io.opentelemetry.sdk.common.export.GrpcStatusCode.OK) {
          sink.addAll(logs);
          return CompletableResultCode.ofSuccess();
        }
        var response = new io.opentelemetry.sdk.common.export.GrpcResponse() {
          @Override
          public io.opentelemetry.sdk.common.export.GrpcStatusCode getStatusCode() {
            return code;
          }

          @Override
          public String getStatusDescription() {
            return "refused";
          }

          @Override
          public byte[] getResponseMessage() {
            return new byte[0];
          }
        };
        return CompletableResultCode.ofExceptionalFailure(
            io.opentelemetry.exporter.internal.FailedExportException.grpcFailedWithResponse(response));
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
    QueuedExporter q = new QueuedExporter("otlp", answering(io.opentelemetry.sdk.common.export.GrpcStatusCode.INVALID_ARGUMENT, sink),
        rejected, new QueuedExporter.QueueSettings(1000, Long.MAX_VALUE, Optional.empty(), 0, Set.of(), Duration.ofSeconds(1)),
        new QueuedExporter.RetrySettings(true, FAST, FAST, Duration.ZERO), RESOURCE, SCOPE);
    q.export(batch("process.exec", 0, 3));
    q.export(batch("process.exec", 3, 3));
    await(() -> rejected.failed() == 6);
    q.shutdown();
    assertEquals(6, rejected.failed(), "rejected for good, not retried for ever");

    DeliveryStats unauthenticated = new DeliveryStats("otlp");
    QueuedExporter q2 = new QueuedExporter("otlp", answering(io.opentelemetry.sdk.common.export.GrpcStatusCode.UNAUTHENTICATED, sink),
        unauthenticated, new QueuedExporter.QueueSettings(1000, Long.MAX_VALUE, Optional.empty(), 0, Set.of(), Duration.ofMillis(300)),
        new QueuedExporter.RetrySettings(true, FAST, FAST, Duration.ZERO), RESOURCE, SCOPE);
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
    long oneBatch = RecordCodec.encode(batch("process.exec", 40, 10)).length; // the largest of the five
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

  @Test
  void unreadableSpoolFilesAreSetAsideAndCounted(@TempDir Path dir) throws Exception {
    byte[] noise = new byte[300];
    new java.util.Random(7).nextBytes(noise);
    Files.write(dir.resolve("notes.batch"), noise);
    byte[] real = RecordCodec.encode(batch("process.exec", 0, 10));
    Files.write(dir.resolve("0000000000000000001-hi.batch"), java.util.Arrays.copyOf(real, real.length / 2));
    Files.write(dir.resolve("0000000000000000002-hi.batch.x1y2.tmp"), real);
    Destination up = new Destination();
    up.up.set(true);
    DeliveryStats stats = new DeliveryStats("otlp");
    QueuedExporter q = queue(up, stats, 1000, Optional.of(dir), 1 << 20);
    q.shutdown();
    assertTrue(Files.exists(dir.resolve("notes.batch.corrupt")));
    assertTrue(Files.exists(dir.resolve("0000000000000000001-hi.batch.corrupt")));
    assertTrue(Files.notExists(dir.resolve("0000000000000000002-hi.batch.x1y2.tmp")), "leftover removed");
    assertEquals(10, stats.failed(), "the truncated batch's declared records; the noise declares none");
    assertEquals(2, stats.quarantined(), "both files counted, the one without a readable header too");
    assertEquals(0, stats.recovered());
  }
}
