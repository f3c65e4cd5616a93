package io.github.otelkernel.receiver.export.queue;

import io.github.otelkernel.receiver.export.DeliveryStats;
import io.github.otelkernel.receiver.memory.RecordSize;
import io.opentelemetry.exporter.internal.FailedExportException;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The Collector's sending_queue and retry_on_failure in front of a network exporter. The batch
 * processor hands a batch over and returns at once; a sender thread delivers batches in order,
 * retrying with exponential backoff, so a Collector restart or a network cut loses nothing.
 *
 * <p>Without storage the queue is held in memory, bounded in records and in estimated bytes. With storage every batch is
 * written to its own file in the spool directory before it is acknowledged, bounded in bytes, and
 * batches left over at shutdown stay there for the next start. When a bound is hit, the oldest
 * batch of low-priority events goes first, then the oldest batch. Every record ends up exported,
 * counted as failed (retries exhausted, queue full), or — with storage — left in the spool.
 */
public final class QueuedExporter implements LogRecordExporter {
  private static final Logger LOG = Logger.getLogger(QueuedExporter.class.getName());
  private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();
  private static final long WARN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(30);

  /** retry_on_failure; maxElapsed zero means retry for ever. */
  public record RetrySettings(boolean enabled, Duration initialInterval, Duration maxInterval, Duration maxElapsed) {
    public static final RetrySettings DEFAULT =
        new RetrySettings(true, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));
  }

  /** sending_queue, plus the file_storage extension it uses when storage is set. */
  public record QueueSettings(int maxRecords, long maxBytes, Optional<Path> spoolDirectory, long spoolMaxBytes,
      Set<String> lowPriorityEvents, Duration drainTimeout) {}

  /** Consecutive unexpected failures of the sender on one batch before that batch is given up. */
  static final int MAX_CRASHES_PER_BATCH = 3;

  private record Batch(long seq, boolean lowPriority, int size, long bytes, List<LogRecordData> records, Path file) {}

  private final String id;
  private final LogRecordExporter delegate;
  private final DeliveryStats stats;
  private final QueueSettings queue;
  private final RetrySettings retry;
  private final Resource resource;
  private final InstrumentationScopeInfo scope;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Batch> batches = new ArrayDeque<>();
  private final Thread sender;
  private long seq;
  private long queuedRecords;
  private long queuedBytes;
  private volatile boolean draining;
  private volatile boolean stopped;
  private long lastWarnNanos;
  private boolean failing;

  public QueuedExporter(String id, LogRecordExporter delegate, DeliveryStats stats, QueueSettings queue,
      RetrySettings retry, Resource resource, InstrumentationScopeInfo scope) {
    this.id = id;
    this.delegate = delegate;
    this.stats = stats;
    this.queue = queue;
    this.retry = retry;
    this.resource = resource;
    this.scope = scope;
    queue.spoolDirectory().ifPresent(this::recoverSpool);
    sender = new Thread(this::superviseSendLoop, "sender-" + id);
    sender.setDaemon(true);
    sender.start();
  }

  /** Accepts a batch into the queue; it is delivered (or counted as lost) later. */
  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    List<LogRecordData> high = new ArrayList<>();
    List<LogRecordData> low = new ArrayList<>();
    for (LogRecordData r : logs) {
      (queue.lowPriorityEvents().contains(r.getEventName()) ? low : high).add(r);
    }
    boolean ok = true;
    for (List<LogRecordData> part : List.of(high, low)) {
      if (!part.isEmpty()) {
        ok &= enqueue(part, part == low);
      }
    }
    return ok ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
  }

  private boolean enqueue(List<LogRecordData> records, boolean lowPriority) {
    lock.lock();
    try {
      long s = seq++;
      Batch b;
      if (queue.spoolDirectory().isPresent()) {
        byte[] data = RecordCodec.encode(records);
        Path file = queue.spoolDirectory().get().resolve(String.format("%019d-%s.batch", s, lowPriority ? "lo" : "hi"));
        try {
          write(file, data);
        } catch (IOException e) {
          stats.addFailed(records.size());
          warn("cannot write to the spool " + queue.spoolDirectory().get() + ": " + e.getMessage() + "; "
              + records.size() + " records lost");
          return false;
        }
        b = new Batch(s, lowPriority, records.size(), data.length, null, file);
      } else {
        b = new Batch(s, lowPriority, records.size(), RecordSize.of(records), List.copyOf(records), null);
      }
      makeRoomFor(b);
      batches.addLast(b);
      queuedRecords += b.size();
      queuedBytes += b.bytes();
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Evicts the oldest low-priority batches, then the oldest batches, until b fits. */
  private void makeRoomFor(Batch b) {
    long evicted = 0;
    while (!batches.isEmpty() && overBound(b)) {
      Batch victim = null;
      for (Batch c : batches) {
        if (c.lowPriority() && c != batches.peekFirst()) { // the head may be in flight
          victim = c;
          break;
        }
      }
      if (victim == null) {
        victim = batches.size() > 1 ? secondOf(batches) : null;
      }
      if (victim == null) {
        break; // only the in-flight batch is left
      }
      batches.remove(victim);
      queuedRecords -= victim.size();
      queuedBytes -= victim.bytes();
      deleteFile(victim);
      evicted += victim.size();
    }
    if (evicted > 0) {
      stats.addDropped(evicted);
      warn("sending queue full (" + describeBound() + "): dropped the " + evicted
          + " oldest records, low-priority first; the destination is too slow or unreachable");
    }
  }

  private static Batch secondOf(Deque<Batch> d) {
    Iterator<Batch> it = d.iterator();
    it.next();
    return it.next();
  }

  private boolean overBound(Batch b) {
    if (queue.spoolDirectory().isPresent()) {
      return queuedBytes + b.bytes() > queue.spoolMaxBytes();
    }
    return queuedRecords + b.size() > queue.maxRecords() || queuedBytes + b.bytes() > queue.maxBytes();
  }

  private String describeBound() {
    return queue.spoolDirectory().isPresent()
        ? "spool " + (queue.spoolMaxBytes() >> 20) + " MiB"
        : queue.maxRecords() + " records, " + (queue.maxBytes() >> 20) + " MiB";
  }

  /**
   * Runs the sender, and starts it again when it fails in a way nothing planned for (a bug, an
   * exporter that throws an Error): a dead sender would leave the queue filling for ever. The
   * restart is counted; a batch that brings the sender down again and again is given up, counted.
   */
  private void superviseSendLoop() {
    Batch crashedOn = null;
    int crashes = 0;
    while (true) {
      try {
        sendLoop();
        return;
      } catch (OutOfMemoryError e) {
        throw e; // the JVM is set to exit on it
      } catch (Throwable t) {
        stats.addSenderRestart();
        Batch head = current;
        crashes = head != null && head == crashedOn ? crashes + 1 : 1;
        crashedOn = head;
        LOG.warning("exporter " + id + ": the sender failed (" + describe(t) + "); started again"
            + (head != null && crashes >= MAX_CRASHES_PER_BATCH
                ? ", giving up the " + head.size() + " records it failed on " + crashes + " times" : ""));
        if (head != null && crashes >= MAX_CRASHES_PER_BATCH) {
          complete(head, false);
          crashedOn = null;
        }
        if (!sleep(Duration.ofMillis(100))) {
          return;
        }
      }
    }
  }

  /** The batch the sender is working on, for the supervisor. */
  private volatile Batch current;

  private void sendLoop() {
    Duration backoff = retry.initialInterval();
    while (true) {
      Batch head;
      lock.lock();
      try {
        while (batches.isEmpty() && !draining) {
          changed.await();
        }
        if (batches.isEmpty() || stopped) {
          return;
        }
        head = batches.peekFirst();
        current = head;
      } catch (InterruptedException e) {
        return;
      } finally {
        lock.unlock();
      }
      long firstAttempt = System.nanoTime();
      while (true) {
        Failure failure = attempt(head);
        if (failure == null) {
          complete(head, true);
          if (failing) {
            failing = false;
            LOG.info("exporter " + id + ": delivering again");
          }
          backoff = retry.initialInterval();
          break;
        }
        String error = failure.message();
        if (failure.tooLarge() && head.size() > 1) {
          // over the destination's message limit (the Collector's gRPC default is 4 MiB): the same
          // batch would fail for ever and block the queue behind it, so send it in halves instead
          split(head);
          LOG.fine(() -> "exporter " + id + ": a batch of " + head.size() + " records was too large, split in two");
          break;
        }
        if (failure.permanent() || failure.tooLarge()) {
          // the destination refuses this data as such: retrying cannot help, and would block the queue
          complete(head, false);
          LOG.warning("exporter " + id + ": destination rejected " + head.size() + " records for good, counted as lost: "
              + error);
          break;
        }
        boolean expired = !retry.enabled() || stopped
            || (!retry.maxElapsed().isZero() && System.nanoTime() - firstAttempt > retry.maxElapsed().toNanos());
        if (expired && !(stopped && head.file() != null)) {
          complete(head, false);
          warn("exporter " + id + ": gave up on " + head.size() + " records after "
              + Duration.ofNanos(System.nanoTime() - firstAttempt).toSeconds() + " s: " + error);
          break;
        }
        if (stopped) {
          return; // spooled batches stay on disk for the next start
        }
        failing = true;
        warn("exporter " + id + ": cannot deliver (" + error + "); " + pending() + " records waiting, retrying in "
            + backoff.toSeconds() + " s");
        if (!sleep(backoff)) {
          return;
        }
        backoff = backoff.multipliedBy(2).compareTo(retry.maxInterval()) > 0 ? retry.maxInterval() : backoff.multipliedBy(2);
      }
    }
  }

  /** Why an export failed, whether trying again could ever succeed, and whether the batch was too large. */
  record Failure(String message, boolean permanent, boolean tooLarge) {
    Failure(String message, boolean permanent) {
      this(message, permanent, false);
    }
  }

  /** Replaces a batch at the head of the queue by its two halves, in order. */
  private void split(Batch b) {
    List<LogRecordData> records = b.records();
    if (records == null) {
      try {
        records = RecordCodec.decode(Files.readAllBytes(b.file()), resource, scope);
      } catch (IOException e) {
        complete(b, false);
        return;
      }
    }
    int half = records.size() / 2;
    // the halves are made before the batch leaves the queue: a failure here leaves it queued (and
    // counted by whoever ends it), never removed and lost
    Batch first = part(b, records.subList(0, half), "a");
    Batch second = part(b, records.subList(half, records.size()), "b");
    lock.lock();
    try {
      if (!batches.remove(b)) {
        deleteFile(first);
        deleteFile(second);
        return; // evicted meanwhile
      }
      batches.addFirst(second);
      batches.addFirst(first);
      queuedBytes += first.bytes() + second.bytes() - b.bytes();
      deleteFile(b);
    } finally {
      lock.unlock();
    }
  }

  private Batch part(Batch b, List<LogRecordData> records, String suffix) {
    if (b.file() == null) {
      return new Batch(b.seq(), b.lowPriority(), records.size(), RecordSize.of(records), List.copyOf(records), null);
    }
    // "<seq>-hi.batch" -> "<seq>-hi.a.batch": still sorts before the next batch when recovered
    String name = b.file().getFileName().toString();
    Path file = b.file().resolveSibling(name.substring(0, name.length() - ".batch".length()) + "." + suffix + ".batch");
    byte[] data = RecordCodec.encode(records);
    try {
      write(file, data);
    } catch (IOException e) {
      // kept in memory
      return new Batch(b.seq(), b.lowPriority(), records.size(), RecordSize.of(records), List.copyOf(records), null);
    }
    return new Batch(b.seq(), b.lowPriority(), records.size(), data.length, null, file);
  }

  /** gRPC RESOURCE_EXHAUSTED for a message over the server's limit, or HTTP 413. */
  static boolean tooLarge(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
        String d = String.valueOf(g.getResponse().getStatusDescription());
        return g.getResponse().getStatusCode() == io.opentelemetry.sdk.common.export.GrpcStatusCode.RESOURCE_EXHAUSTED
            && d.contains("larger than max");
      }
      if (c instanceof FailedExportException.HttpExportException h && h.getResponse() != null) {
        return h.getResponse().getStatusCode() == 413;
      }
    }
    return false;
  }

  /** One export of a batch; null on success. */
  private Failure attempt(Batch b) {
    List<LogRecordData> records = b.records();
    if (records == null) {
      try {
        records = RecordCodec.decode(Files.readAllBytes(b.file()), resource, scope);
      } catch (IOException e) {
        return new Failure("spool file " + b.file() + " unreadable: " + e.getMessage(), true);
      }
    }
    CompletableResultCode r;
    try {
      r = delegate.export(records);
    } catch (RuntimeException e) {
      return new Failure(String.valueOf(e.getMessage()), false);
    }
    r.join(5, TimeUnit.MINUTES);
    if (r.isSuccess()) {
      return null;
    }
    Throwable t = r.getFailureThrowable();
    return new Failure(describe(t), permanent(t), tooLarge(t));
  }

  /**
   * Rejections of the data itself are permanent, as in the Collector: gRPC INVALID_ARGUMENT and
   * the like, HTTP 400/404/413. Authentication and permission failures are not: an operator can
   * fix credentials, and the queue keeps the events until then.
   */
  static boolean permanent(Throwable t) {
    if (t instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
      return switch (g.getResponse().getStatusCode()) {
        case INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION, OUT_OF_RANGE, UNIMPLEMENTED -> true;
        default -> false;
      };
    }
    if (t instanceof FailedExportException.HttpExportException h && h.getResponse() != null) {
      int code = h.getResponse().getStatusCode();
      return code == 400 || code == 404 || code == 413;
    }
    return false;
  }

  /** The failure and its causes on one line, most specific last: "UNAVAILABLE: io exception: SSLHandshakeException: …". */
  static String describe(Throwable t) {
    if (t == null) {
      return "export failed";
    }
    StringBuilder sb = new StringBuilder();
    java.util.Set<Throwable> seen = new java.util.HashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      String part = c.getClass().getSimpleName() + (c.getMessage() != null ? ": " + c.getMessage() : "");
      // the SDK reports a status from the server (or from gRPC's own transport) without a message
      if (c instanceof FailedExportException.GrpcExportException g && g.getResponse() != null) {
        part = "gRPC " + g.getResponse().getStatusCode()
            + (g.getResponse().getStatusDescription() != null ? ": " + g.getResponse().getStatusDescription() : "");
      } else if (c instanceof FailedExportException.HttpExportException h && h.getResponse() != null) {
        part = "HTTP " + h.getResponse().getStatusCode() + " " + h.getResponse().getStatusMessage();
      }
      if (sb.indexOf(part) < 0) {
        sb.append(sb.isEmpty() ? "" : ": ").append(part);
      }
    }
    String text = sb.toString().replace('\n', ' ');
    if (text.matches("(?is).*(SslHandler|ssl exception|SSLHandshake|PKIX|certificate|handshake).*")) {
      text += " -- the TLS handshake failed: check that tls.ca_file signs the destination's certificate,"
          + " that tls.cert_file/key_file are accepted by it, and that it expects TLS at all";
    } else if (text.contains("Connection refused")) {
      text += " -- nothing listens there: is the Collector running, and is the endpoint right?";
    }
    return text;
  }

  private void complete(Batch b, boolean delivered) {
    lock.lock();
    try {
      if (batches.remove(b)) { // may have been evicted meanwhile
        queuedRecords -= b.size();
        queuedBytes -= b.bytes();
        if (delivered) {
          stats.addExported(b.size());
        } else {
          stats.addFailed(b.size());
        }
        deleteFile(b);
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private boolean sleep(Duration d) {
    lock.lock();
    try {
      long nanos = d.toNanos();
      while (nanos > 0 && !stopped) {
        nanos = changed.awaitNanos(nanos);
      }
      return !stopped;
    } catch (InterruptedException e) {
      return false;
    } finally {
      lock.unlock();
    }
  }

  public long pending() {
    lock.lock();
    try {
      return queuedRecords;
    } finally {
      lock.unlock();
    }
  }

  private void warn(String message) {
    long now = System.nanoTime();
    if (lastWarnNanos == 0 || now - lastWarnNanos > WARN_INTERVAL_NANOS) {
      lastWarnNanos = now;
      LOG.warning(message);
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  /**
   * Delivers what is queued for up to the drain timeout. Then, in memory, what is left is counted
   * as lost; with storage it stays spooled for the next start and is counted as such.
   */
  @Override
  public CompletableResultCode shutdown() {
    lock.lock();
    try {
      draining = true;
      changed.signalAll();
      long nanos = queue.drainTimeout().toNanos();
      while (!batches.isEmpty() && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      stopped = true;
      changed.signalAll();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      lock.unlock();
    }
    try {
      sender.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    lock.lock();
    try {
      if (!batches.isEmpty()) {
        if (queue.spoolDirectory().isPresent()) {
          stats.addSpooled(queuedRecords);
          LOG.warning("exporter " + id + ": " + queuedRecords + " undelivered records kept in "
              + queue.spoolDirectory().get() + "; they are sent at the next start");
        } else {
          stats.addFailed(queuedRecords);
          LOG.warning("exporter " + id + ": " + queuedRecords + " records could not be delivered before shutdown and are"
              + " lost; configure sending_queue.storage to keep them across restarts");
        }
        batches.clear();
      }
    } finally {
      lock.unlock();
    }
    return delegate.shutdown();
  }

  private void recoverSpool(Path dir) {
    try {
      io.github.otelkernel.receiver.files.SafeFiles.createPrivateDirectory(dir);
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.sorted().toList();
      }
      long records = 0;
      for (Path f : files) {
        String name = f.getFileName().toString();
        if (name.endsWith(".tmp")) {
          Files.deleteIfExists(f); // a write cut short by a crash: never acknowledged
          continue;
        }
        if (!name.endsWith(".batch")) {
          continue; // .corrupt files set aside earlier, and whatever else an operator keeps here
        }
        int size;
        long s;
        byte[] data;
        try {
          if (!Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("not a regular file");
          }
          data = Files.readAllBytes(f);
          if (!name.matches("\\d{19}-(hi|lo)(\\.[ab])*\\.batch")) {
            throw new IOException("not a spool batch name");
          }
          s = Long.parseLong(name.substring(0, name.indexOf('-')));
          size = RecordCodec.decode(data, resource, scope).size();
        } catch (IOException | RuntimeException e) {
          // set aside rather than refuse to start: one bad file must not stop the agent
          long lost = RecordCodec.declaredCount(f);
          stats.addFailed(lost);
          stats.addQuarantined();
          LOG.warning("spool: " + f + " is unreadable (" + e.getMessage() + "); moved aside as " + name + ".corrupt, "
              + (lost > 0 ? lost + " records lost" : "holding an unknown number of records (no readable header)"));
          Files.move(f, f.resolveSibling(name + ".corrupt"), StandardCopyOption.REPLACE_EXISTING,
              java.nio.file.LinkOption.NOFOLLOW_LINKS);
          continue;
        }
        seq = Math.max(seq, s + 1);
        batches.addLast(new Batch(s, name.contains("-lo."), size, data.length, null, f));
        queuedRecords += size;
        queuedBytes += data.length;
        records += size;
      }
      if (records > 0) {
        stats.addRecovered(records);
        LOG.info("exporter " + id + ": " + records + " records spooled by a previous run found in " + dir + "; delivering");
      }
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("spool directory " + dir + ": " + e.getMessage(), e);
    }
  }

  private static void write(Path file, byte[] data) throws IOException {
    // unpredictable and created exclusively: nothing can be planted at the name in advance
    Path tmp = file.resolveSibling(file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
        java.nio.file.LinkOption.NOFOLLOW_LINKS), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(false); // acknowledged means on disk
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  private static void deleteFile(Batch b) {
    if (b.file() != null) {
      try {
        Files.deleteIfExists(b.file());
      } catch (IOException e) {
        LOG.warning("spool: cannot delete " + b.file() + ": " + e.getMessage());
      }
    }
  }
}
