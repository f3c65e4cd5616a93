package io.github.otelkernel.receiver.export.queue;

import static io.github.otelkernel.receiver.export.queue.MemoryQueueTest.drainFirsts;
import static io.github.otelkernel.receiver.export.queue.QueuedExporterTest.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PersistentQueueTest {
  static final Set<String> LOW = Set.of("process.exit");
  @TempDir Path dir;

  PersistentQueue open(DeliveryStats stats, long maxBytes) {
    return new PersistentQueue("otlp", stats, dir, maxBytes, LOW);
  }

  List<String> names() throws Exception {
    try (var files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Warnings the queues log while r runs. */
  static List<String> warnings(ThrowingRunnable r) throws Exception {
    List<String> out = new ArrayList<>();
    Logger log = Logger.getLogger(SendingQueue.class.getName());
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            if (record.getLevel() == java.util.logging.Level.WARNING) {
              out.add(record.getMessage());
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(h);
    try {
      r.run();
    } finally {
      log.removeHandler(h);
    }
    return out;
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void survivesReopenInOrderWithEveryRecordIntact() throws Exception {
    DeliveryStats first = new DeliveryStats("otlp");
    PersistentQueue q1 = open(first, 1 << 20);
    q1.offer(batch("process.exec", 0, 5));
    q1.offer(batch("process.exit", 5, 3));
    q1.offer(batch("process.exec", 8, 4));
    QueuedBatch head = q1.awaitHead().orElseThrow();
    q1.split(head, q1.records(head).orElseThrow()); // halves on disk sort where the batch was
    q1.close();
    assertEquals(12, first.spooled());
    assertEquals(
        List.of(
            "0000000000000000000-hi.a.spool",
            "0000000000000000000-hi.b.spool",
            "0000000000000000001-lo.spool",
            "0000000000000000002-hi.spool"),
        names());
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));

    DeliveryStats second = new DeliveryStats("otlp");
    PersistentQueue q2 = open(second, 1 << 20);
    assertEquals(12, second.recovered());
    assertEquals(12, q2.size());
    QueuedBatch h = q2.awaitHead().orElseThrow();
    LogRecordData r = q2.records(h).orElseThrow().get(0);
    assertEquals(0, r.getTimestampEpochNanos());
    assertEquals("event 0", r.getBodyValue().asString());
    assertEquals(List.of("a b", "ü\n"), r.getAttributes().get(AttributeKey.stringArrayKey("args")));
    assertEquals(List.of(0L, 2L, 5L, 8L), drainFirsts(q2));
    assertEquals(List.of(), names(), "delivered batches leave the disk");

    // numbering goes on after what was found, so new batches sort after old ones
    q2.offer(batch("process.exec", 20, 1));
    assertEquals(List.of("0000000000000000003-hi.spool"), names());
  }

  @Test
  void boundedInBytesOnDisk() throws Exception {
    long one =
        SpoolFile.HEADER_BYTES + OtlpLogsEncoding.encode(batch("process.exec", 40, 10)).length;
    DeliveryStats stats = new DeliveryStats("otlp");
    PersistentQueue q = open(stats, 3 * one);
    for (int b = 0; b < 5; b++) {
      q.offer(batch(b % 2 == 0 ? "process.exec" : "process.exit", b * 10, 10));
    }
    assertEquals(20, stats.dropped(), "the two low-priority batches");
    long onDisk;
    try (var files = Files.list(dir)) {
      onDisk = files.mapToLong(p -> p.toFile().length()).sum();
    }
    assertTrue(onDisk <= 3 * one, onDisk + " bytes on disk");
    assertEquals(List.of(0L, 20L, 40L), drainFirsts(q));
  }

  static LogRecordData large(int i, int chars) {
    Attributes a = Attributes.of(AttributeKey.stringKey("process.command_line"), "x".repeat(chars));
    return new SpooledLogRecord(
        QueuedExporterTest.RESOURCE,
        QueuedExporterTest.SCOPE,
        i,
        i,
        SpanContext.getInvalid(),
        Severity.INFO,
        null,
        Value.of("e"),
        a,
        1,
        "process.exec");
  }

  @Test
  void aBatchTooLargeToReadBackWholeIsSpooledInParts() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    PersistentQueue q = open(stats, 1L << 30);
    int third = SpoolFile.MAX_PAYLOAD_BYTES / 3 + 1000;
    assertTrue(q.offer(List.of(large(0, third), large(1, third), large(2, third))));
    assertEquals(2, names().size());
    assertEquals(3, q.size());
    assertEquals(List.of(0L, 1L), drainFirsts(q));
    assertEquals(0, stats.failed());
  }

  @Test
  void aWriteThatFailsIsCountedAsLost() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    PersistentQueue q = open(stats, 1 << 20);
    Files.delete(dir);
    List<String> warned = warnings(() -> assertFalse(q.offer(batch("process.exec", 0, 4))));
    assertEquals(4, stats.failed());
    assertEquals(0, q.size());
    assertTrue(
        warned.stream().anyMatch(w -> w.contains("cannot write to the spool")), warned.toString());
    Files.createDirectory(dir); // for the clean-up
  }

  @Test
  void oldFormatFilesAreSetAsideCountedAndReportedOnceWithTheFix() throws Exception {
    Files.write(dir.resolve("0000000000000000001-hi.batch"), SpoolFileTest.oldFormat(10));
    Files.write(dir.resolve("0000000000000000002-lo.batch"), SpoolFileTest.oldFormat(7));
    byte[] noise = new byte[300];
    new Random(7).nextBytes(noise);
    Files.write(dir.resolve("notes.batch"), noise); // the old name, but not the old format either
    Files.write(dir.resolve("operator-notes.txt"), new byte[] {1});
    DeliveryStats stats = new DeliveryStats("otlp");
    List<String> warned = warnings(() -> open(stats, 1 << 20));
    assertEquals(
        List.of(
            "0000000000000000001-hi.batch.old-format",
            "0000000000000000002-lo.batch.old-format",
            "notes.batch.corrupt",
            "operator-notes.txt"),
        names());
    assertEquals(17, stats.failed(), "the records their headers declare");
    assertEquals(3, stats.quarantined());
    assertEquals(0, stats.recovered());
    List<String> old = warned.stream().filter(w -> w.contains("earlier agent version")).toList();
    assertEquals(1, old.size(), warned.toString());
    assertTrue(old.get(0).contains("2 files of an earlier agent version"), old.get(0));
    assertTrue(old.get(0).contains("their 17 records are counted as lost"), old.get(0));
    assertTrue(
        old.get(0).contains("rename them back to .batch and run that earlier version"), old.get(0));

    // set aside once: the next start finds nothing to count again
    DeliveryStats again = new DeliveryStats("otlp");
    open(again, 1 << 20);
    assertEquals(0, again.failed() + again.quarantined());
  }

  @Test
  void corruptAndForeignFilesAreSetAsideAndCountedLeftoversRemoved() throws Exception {
    byte[] noise = new byte[300];
    new Random(7).nextBytes(noise);
    Files.write(dir.resolve("notes.spool"), noise);
    Path good = dir.resolve("0000000000000000004-hi.spool");
    SpoolFile.write(good, OtlpLogsEncoding.encode(batch("process.exec", 0, 10)), 10);
    byte[] real = Files.readAllBytes(good);
    Files.write(
        dir.resolve("0000000000000000001-hi.spool"),
        java.util.Arrays.copyOf(real, real.length / 2));
    Files.write(dir.resolve("0000000000000000002-hi.spool.x1y2.tmp"), real);
    Files.write(dir.resolve("9999999999999999999-hi.spool"), real); // a sequence past a long
    Files.write(dir.resolve("0000000000000000003-xx.spool"), real); // not a name this queue gives
    Files.createSymbolicLink(dir.resolve("0000000000000000005-hi.spool"), good);
    DeliveryStats stats = new DeliveryStats("otlp");
    PersistentQueue q = open(stats, 1 << 20);
    assertEquals(
        List.of(
            "0000000000000000001-hi.spool.corrupt",
            "0000000000000000003-xx.spool.corrupt",
            "0000000000000000004-hi.spool",
            "0000000000000000005-hi.spool.corrupt",
            "9999999999999999999-hi.spool.corrupt",
            "notes.spool.corrupt"),
        names());
    assertTrue(
        Files.isSymbolicLink(dir.resolve("0000000000000000005-hi.spool.corrupt")),
        "the link moved, not its target");
    assertEquals(
        30,
        stats.failed(),
        "the declared records of the torn, misnamed and out-of-range files; noise and the link declare none");
    assertEquals(
        5, stats.quarantined(), "every file set aside, the ones without a readable header too");
    assertEquals(10, stats.recovered());
    assertEquals(10, q.size());
  }

  @Test
  void aFileChangedAfterStartIsSetAsideWhenRead() throws Exception {
    DeliveryStats stats = new DeliveryStats("otlp");
    PersistentQueue q = open(stats, 1 << 20);
    q.offer(batch("process.exec", 0, 3));
    q.offer(batch("process.exec", 3, 2));
    QueuedBatch head = q.awaitHead().orElseThrow();
    Path f = dir.resolve("0000000000000000000-hi.spool");
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x40;
    Files.write(f, b);
    assertTrue(q.records(head).isEmpty());
    assertEquals(3, stats.failed());
    assertEquals(1, stats.quarantined());
    assertEquals(2, q.size(), "gone from the queue");
    assertEquals(
        List.of("0000000000000000000-hi.spool.corrupt", "0000000000000000001-hi.spool"), names());
    assertEquals(List.of(3L), drainFirsts(q));
  }

  @Test
  void anUnusableDirectoryStopsTheStart() throws Exception {
    Path file = Files.write(dir.resolve("a-file"), new byte[0]);
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> new PersistentQueue("otlp", new DeliveryStats("otlp"), file, 1 << 20, LOW));
    assertTrue(e.getMessage().startsWith("spool directory " + file), e.getMessage());
    Path open =
        Files.createDirectory(
            dir.resolve("open"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThrows(
        IllegalStateException.class,
        () -> new PersistentQueue("otlp", new DeliveryStats("otlp"), open, 1 << 20, LOW),
        "others could plant batches");
  }
}
