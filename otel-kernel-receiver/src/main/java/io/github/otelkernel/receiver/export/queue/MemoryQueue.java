package io.github.otelkernel.receiver.export.queue;

import io.github.otelkernel.receiver.memory.RecordSize;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The sending queue without storage: batches held on the heap, bounded in records and in estimated
 * bytes (long command lines fill the bytes first). What is left at close is lost, and counted as
 * failed.
 */
public final class MemoryQueue extends BatchQueue<MemoryQueue.Held> {
  private final int maxRecords;
  private final long maxBytes;

  /** A batch held as the records themselves. */
  record Held(List<LogRecordData> records, boolean lowPriority, long bytes) implements QueuedBatch {
    Held {
      records = List.copyOf(records);
    }

    @Override
    public int size() {
      return records.size();
    }
  }

  public MemoryQueue(
      String id,
      DeliveryStats stats,
      int maxRecords,
      long maxBytes,
      Set<String> lowPriorityEvents) {
    super(id, stats, lowPriorityEvents);
    if (maxRecords < 1 || maxBytes < 1) {
      throw new IllegalArgumentException("a sending queue holds at least one record and one byte");
    }
    this.maxRecords = maxRecords;
    this.maxBytes = maxBytes;
  }

  @Override
  boolean store(List<LogRecordData> records, boolean lowPriority) {
    return enqueue(held(records, lowPriority));
  }

  private static Held held(List<LogRecordData> records, boolean lowPriority) {
    return new Held(records, lowPriority, RecordSize.of(records));
  }

  @Override
  public Optional<List<LogRecordData>> records(QueuedBatch batch) {
    return Optional.of(((Held) batch).records());
  }

  @Override
  public void split(QueuedBatch head, List<LogRecordData> records) {
    int half = records.size() / 2;
    replaceHead(
        head,
        held(records.subList(0, half), head.lowPriority()),
        held(records.subList(half, records.size()), head.lowPriority()));
  }

  @Override
  boolean overBound(long records, long bytes) {
    return records > maxRecords || bytes > maxBytes;
  }

  @Override
  String describeBound() {
    return maxRecords + " records, " + (maxBytes >> 20) + " MiB";
  }

  @Override
  void discard(Held batch) {
    // nothing outside the heap
  }

  @Override
  void leftAtClose(long records) {
    stats.addFailed(records);
    LOG.warning(
        "exporter "
            + id
            + ": "
            + records
            + " records could not be delivered before shutdown and are lost;"
            + " configure sending_queue.storage to keep them across restarts");
  }
}
