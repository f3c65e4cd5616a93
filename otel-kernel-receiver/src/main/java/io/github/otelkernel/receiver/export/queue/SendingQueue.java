package io.github.otelkernel.receiver.export.queue;

import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * sending_queue: the batches between the batch processor and the network, in order, bounded. One
 * sender reads it: it works on the head, which stays queued (and is never evicted) until the sender
 * removes or splits it, so a batch in flight is neither lost nor sent twice.
 *
 * <p>A queue counts what it loses itself, in the exporter's DeliveryStats: batches evicted to make
 * room (dropped), batches it could not store or read back (failed), and what close() leaves (failed
 * in memory, spooled on disk). The sender counts what it delivers or gives up.
 */
public interface SendingQueue {
  /**
   * Queues the records, as one batch of the high-priority ones and one of the low-priority ones;
   * older batches are evicted to make room. False when some could not be stored (counted).
   */
  boolean offer(Collection<LogRecordData> records);

  /**
   * The oldest batch, waiting while there is none. Empty once the queue is empty and draining, or
   * closed: the sender is done.
   */
  Optional<QueuedBatch> awaitHead() throws InterruptedException;

  /**
   * The batch's records. Empty when they cannot be read back: the batch is then gone from the queue
   * and counted as failed, and the sender goes on with the next.
   */
  Optional<List<LogRecordData>> records(QueuedBatch batch);

  /**
   * Replaces the head by its two halves, in order: records are the head's, as records() gave them.
   */
  void split(QueuedBatch head, List<LogRecordData> records);

  /** Takes a batch out, delivered or given up; false when it had already left (close() took it). */
  boolean remove(QueuedBatch batch);

  /** Records queued, the head's included. */
  long size();

  /**
   * From now on awaitHead() ends on an empty queue; waits up to timeout for it to empty. True if it
   * did.
   */
  boolean drain(Duration timeout) throws InterruptedException;

  /**
   * Ends the queue: what is left is counted and either lost (memory) or kept for the next start
   * (disk).
   */
  void close();
}
