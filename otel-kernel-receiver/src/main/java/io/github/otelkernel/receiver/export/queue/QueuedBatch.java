package io.github.otelkernel.receiver.export.queue;

/**
 * One batch in a sending queue, as the sender sees it: where its records are is the queue's
 * business.
 */
public sealed interface QueuedBatch permits MemoryQueue.Held, PersistentQueue.Spooled {
  /** Records in the batch. */
  int size();

  /** What the batch counts against the queue's byte bound. */
  long bytes();

  /** Evicted before any other batch when the queue is full. */
  boolean lowPriority();
}
