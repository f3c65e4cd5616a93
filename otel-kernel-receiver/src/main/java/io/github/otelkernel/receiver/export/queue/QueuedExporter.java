package io.github.otelkernel.receiver.export.queue;

import io.github.otelkernel.receiver.export.retry.ExportErrors;
import io.github.otelkernel.receiver.export.retry.ExportFailure;
import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The Collector's sending_queue and retry_on_failure in front of a network exporter. The batch
 * processor hands a batch to the queue and returns at once; one sender thread delivers the queue's
 * head, retrying as the policy says, so a Collector restart or a network cut loses nothing. Every
 * record ends up exported, counted as failed (rejected, retries exhausted, or left in memory at
 * shutdown) or dropped (evicted from a full queue), or stays in the spool.
 */
public final class QueuedExporter implements LogRecordExporter {
  private static final Logger LOG = Logger.getLogger(QueuedExporter.class.getName());

  /** Consecutive unexpected failures of the sender on one batch before that batch is given up. */
  static final int MAX_CRASHES_PER_BATCH = 3;

  /** How long shutdown waits for a sender stuck in an export call once the drain time is over. */
  private static final Duration SENDER_JOIN = Duration.ofSeconds(30);

  private final String id;
  private final LogRecordExporter delegate;
  private final DeliveryStats stats;
  private final SendingQueue queue;
  private final RetryPolicy retry;
  private final Duration drainTimeout;
  private final ThrottledLog warnings = new ThrottledLog(LOG);
  private final CountDownLatch stop = new CountDownLatch(1);
  private final Thread sender;

  /** The batch the sender is working on, for the supervisor. */
  private volatile QueuedBatch current;

  private boolean failing; // sender thread only

  /** Starts the sender on the queue; drainTimeout is what shutdown gives it to empty the queue. */
  public QueuedExporter(
      String id,
      LogRecordExporter delegate,
      DeliveryStats stats,
      SendingQueue queue,
      RetryPolicy retry,
      Duration drainTimeout) {
    this.id = Objects.requireNonNull(id, "id");
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.retry = Objects.requireNonNull(retry, "retry");
    this.drainTimeout = Objects.requireNonNull(drainTimeout, "drainTimeout");
    sender = new Thread(this::superviseSendLoop, "sender-" + id);
    sender.setDaemon(true);
    sender.start();
  }

  /** Accepts a batch into the queue; it is delivered (or counted as lost) later. */
  @Override
  public CompletableResultCode export(Collection<LogRecordData> logs) {
    return queue.offer(logs)
        ? CompletableResultCode.ofSuccess()
        : CompletableResultCode.ofFailure();
  }

  /** Records waiting, the batch in flight included. */
  public long pending() {
    return queue.size();
  }

  /**
   * Runs the sender, and starts it again when it fails in a way nothing planned for (a bug, an
   * exporter that throws an Error): a dead sender would leave the queue filling for ever. The
   * restart is counted; a batch that brings the sender down again and again is given up, counted.
   */
  private void superviseSendLoop() {
    QueuedBatch crashedOn = null;
    int crashes = 0;
    while (true) {
      try {
        sendLoop();
        return;
      } catch (InterruptedException e) {
        return;
      } catch (OutOfMemoryError e) {
        throw e; // the JVM is set to exit on it
      } catch (Throwable t) {
        stats.addSenderRestart();
        QueuedBatch head = current;
        crashes = head != null && head == crashedOn ? crashes + 1 : 1;
        crashedOn = head;
        boolean giveUp = head != null && crashes >= MAX_CRASHES_PER_BATCH;
        LOG.warning(
            "exporter "
                + id
                + ": the sender failed ("
                + ExportErrors.describe(t)
                + "); started again"
                + (giveUp
                    ? ", giving up the "
                        + head.size()
                        + " records it failed on "
                        + crashes
                        + " times"
                    : ""));
        if (giveUp) {
          finish(head, false);
          crashedOn = null;
        }
        if (sleepUnlessStopped(Duration.ofMillis(100))) {
          return;
        }
      }
    }
  }

  private void sendLoop() throws InterruptedException {
    Duration backoff = retry.initialInterval();
    while (true) {
      Optional<QueuedBatch> next = queue.awaitHead();
      if (next.isEmpty() || stopped()) {
        return;
      }
      QueuedBatch head = next.get();
      current = head;
      Optional<List<LogRecordData>> records = queue.records(head);
      if (records.isEmpty()) {
        continue; // unreadable: the queue has set it aside and counted it
      }
      long firstAttempt = System.nanoTime();
      while (true) {
        ExportFailure failure = attempt(records.get());
        if (failure == null) {
          finish(head, true);
          if (failing) {
            failing = false;
            LOG.info("exporter " + id + ": delivering again");
          }
          backoff = retry.initialInterval();
          break;
        }
        if (failure.kind() == ExportFailure.Kind.TOO_LARGE && head.size() > 1) {
          // the same batch would fail for ever and block the queue behind it: send it in halves
          queue.split(head, records.get());
          LOG.fine(
              () ->
                  "exporter "
                      + id
                      + ": a batch of "
                      + head.size()
                      + " records was too large, split in two");
          break;
        }
        if (!failure.retryable()) {
          finish(head, false);
          LOG.warning(
              "exporter "
                  + id
                  + ": destination rejected "
                  + head.size()
                  + " records for good, counted as lost: "
                  + failure.message());
          break;
        }
        if (stopped()) {
          return; // what is left is the queue's to count at close: lost in memory, kept on disk
        }
        Duration failingFor = Duration.ofNanos(System.nanoTime() - firstAttempt);
        if (retry.givesUp(failingFor)) {
          finish(head, false);
          warnings.warn(
              "exporter "
                  + id
                  + ": gave up on "
                  + head.size()
                  + " records after "
                  + failingFor.toSeconds()
                  + " s: "
                  + failure.message());
          break;
        }
        failing = true;
        warnings.warn(
            "exporter "
                + id
                + ": cannot deliver ("
                + failure.message()
                + "); "
                + pending()
                + " records waiting, retrying in "
                + backoff.toSeconds()
                + " s");
        if (sleepUnlessStopped(backoff)) {
          return;
        }
        backoff = retry.nextInterval(backoff);
      }
    }
  }

  /** One export of a batch; null on success. */
  private ExportFailure attempt(List<LogRecordData> records) {
    CompletableResultCode r;
    try {
      r = delegate.export(records);
    } catch (RuntimeException e) {
      return new ExportFailure(ExportErrors.describe(e), ExportFailure.Kind.RETRYABLE);
    }
    r.join(5, TimeUnit.MINUTES);
    return r.isSuccess() ? null : ExportErrors.classify(r.getFailureThrowable());
  }

  /** Takes the batch out and counts it, unless shutdown already took (and counted) it. */
  private void finish(QueuedBatch b, boolean delivered) {
    if (queue.remove(b)) {
      if (delivered) {
        stats.addExported(b.size());
      } else {
        stats.addFailed(b.size());
      }
    }
  }

  private boolean stopped() {
    return stop.getCount() == 0;
  }

  /** Waits, and says whether the exporter was stopped meanwhile. */
  private boolean sleepUnlessStopped(Duration d) {
    try {
      return stop.await(d.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      return true;
    }
  }

  @Override
  public CompletableResultCode flush() {
    return CompletableResultCode.ofSuccess();
  }

  /**
   * Delivers what is queued for up to the drain timeout, then stops the sender and closes the
   * queue: in memory what is left is counted as lost; with storage it stays spooled for the next
   * start and is counted as such.
   */
  @Override
  public CompletableResultCode shutdown() {
    try {
      queue.drain(drainTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    stop.countDown();
    try {
      sender.join(SENDER_JOIN.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    queue.close();
    return delegate.shutdown();
  }
}
