package io.github.otelkernel.receiver.export.queue;

import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * What the memory queue and the spool have in common: the batches in order, their totals, the
 * eviction order when the bound is hit (the oldest low-priority batch, then the oldest batch, never
 * the head, which may be in flight), and the hand-over to the one sender. Subclasses say where a
 * batch's records are kept and what the bound is.
 */
abstract sealed class BatchQueue<B extends QueuedBatch> implements SendingQueue
    permits MemoryQueue, PersistentQueue {
  static final Logger LOG = Logger.getLogger(SendingQueue.class.getName());

  final String id;
  final DeliveryStats stats;
  private final Set<String> lowPriorityEvents;
  private final ThrottledLog warnings = new ThrottledLog(LOG);
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<B> batches = new ArrayDeque<>();
  private long records;
  private long bytes;
  private boolean draining;
  private boolean closed;

  BatchQueue(String id, DeliveryStats stats, Set<String> lowPriorityEvents) {
    this.id = Objects.requireNonNull(id, "id");
    this.stats = Objects.requireNonNull(stats, "stats");
    this.lowPriorityEvents = Set.copyOf(lowPriorityEvents);
  }

  /**
   * Keeps the records as one batch or more and enqueues each; false when some could not be kept
   * (counted by the subclass).
   */
  abstract boolean store(List<LogRecordData> records, boolean lowPriority);

  /** Whether the queue is over its bound with these totals. */
  abstract boolean overBound(long records, long bytes);

  /** The bound, for the warning when it is hit. */
  abstract String describeBound();

  /** Lets go of what a batch holds outside the queue (its file). */
  abstract void discard(B batch);

  /** Counts and reports what close() leaves behind. */
  abstract void leftAtClose(long records);

  @Override
  public final boolean offer(Collection<LogRecordData> logs) {
    List<LogRecordData> high = new ArrayList<>();
    List<LogRecordData> low = new ArrayList<>();
    for (LogRecordData r : logs) {
      // an immutable set's contains() throws on null, and a record need not have an EventName
      (r.getEventName() != null && lowPriorityEvents.contains(r.getEventName()) ? low : high)
          .add(r);
    }
    boolean ok = true;
    for (List<LogRecordData> part : List.of(high, low)) {
      if (!part.isEmpty()) {
        ok &= store(part, part == low);
      }
    }
    return ok;
  }

  /**
   * Appends a batch, evicting older ones to make room; false (the batch let go, counted) once
   * closed.
   */
  final boolean enqueue(B b) {
    lock.lock();
    try {
      if (closed) { // an export racing shutdown: nobody would send it
        discard(b);
        stats.addFailed(b.size());
        LOG.warning(
            "exporter "
                + id
                + ": "
                + b.size()
                + " records arrived after the sending queue closed; lost");
        return false;
      }
      makeRoomFor(b);
      batches.addLast(b);
      records += b.size();
      bytes += b.bytes();
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a batch left by a previous run, as it was: the bound applies from the next offer on.
   */
  final void restore(B b) {
    lock.lock();
    try {
      batches.addLast(b);
      records += b.size();
      bytes += b.bytes();
    } finally {
      lock.unlock();
    }
  }

  final void warn(String message) {
    warnings.warn(message);
  }

  private void makeRoomFor(B b) {
    long evicted = 0;
    while (overBound(records + b.size(), bytes + b.bytes())) {
      B victim = victim();
      if (victim == null) {
        break; // only the head is left: a batch larger than the bound still goes, alone
      }
      removeQueued(victim);
      discard(victim);
      evicted += victim.size();
    }
    if (evicted > 0) {
      stats.addDropped(evicted);
      warn(
          "exporter "
              + id
              + ": sending queue full ("
              + describeBound()
              + "): dropped the "
              + evicted
              + " oldest records, low-priority first; the destination is too slow or unreachable");
    }
  }

  /** The oldest low-priority batch behind the head, else the batch right behind the head. */
  private B victim() {
    Iterator<B> it = batches.iterator();
    if (!it.hasNext()) {
      return null;
    }
    it.next(); // the head may be in flight
    B second = null;
    while (it.hasNext()) {
      B c = it.next();
      if (c.lowPriority()) {
        return c;
      }
      second = second == null ? c : second;
    }
    return second;
  }

  @Override
  public final Optional<QueuedBatch> awaitHead() throws InterruptedException {
    lock.lock();
    try {
      while (batches.isEmpty() && !draining && !closed) {
        changed.await();
      }
      return closed ? Optional.empty() : Optional.ofNullable(batches.peekFirst());
    } finally {
      lock.unlock();
    }
  }

  @Override
  public final boolean remove(QueuedBatch batch) {
    lock.lock();
    try {
      B b = queued(batch);
      if (b == null) {
        return false;
      }
      removeQueued(b);
      discard(b);
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts the halves in the place of the head; false (halves let go) when the head had already left.
   */
  final boolean replaceHead(QueuedBatch head, B first, B second) {
    lock.lock();
    try {
      B old = queued(head);
      if (old == null || batches.peekFirst() != old) {
        discard(first);
        discard(second);
        return false;
      }
      batches.removeFirst();
      batches.addFirst(second);
      batches.addFirst(first);
      bytes += first.bytes() + second.bytes() - old.bytes();
      discard(old);
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The queued batch that is this very one (by identity: two batches may hold equal records), or
   * null.
   */
  final B queued(QueuedBatch batch) {
    for (B b : batches) {
      if (b == batch) {
        return b;
      }
    }
    return null;
  }

  /**
   * Takes a batch out that cannot be read back, counted as failed; false when it had already left.
   */
  final boolean removeUnreadable(QueuedBatch batch) {
    lock.lock();
    try {
      B b = queued(batch);
      if (b == null) {
        return false;
      }
      removeQueued(b);
      stats.addFailed(b.size());
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  private void removeQueued(B b) {
    if (batches.peekFirst() == b) {
      batches.removeFirst(); // the usual case, and a spool can hold tens of thousands of batches
    } else {
      batches.removeIf(c -> c == b);
    }
    records -= b.size();
    bytes -= b.bytes();
  }

  @Override
  public final long size() {
    lock.lock();
    try {
      return records;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public final boolean drain(Duration timeout) throws InterruptedException {
    lock.lock();
    try {
      draining = true;
      changed.signalAll();
      long nanos = timeout.toNanos();
      while (!batches.isEmpty() && nanos > 0) {
        nanos = changed.awaitNanos(nanos);
      }
      return batches.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public final void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      if (records > 0) {
        leftAtClose(records);
      }
      batches.clear(); // files stay: the spool keeps them for the next start
      records = 0;
      bytes = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }
}
