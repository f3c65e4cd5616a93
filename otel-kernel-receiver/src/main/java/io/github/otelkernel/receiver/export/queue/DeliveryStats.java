package io.github.otelkernel.receiver.export.queue;

import java.util.concurrent.atomic.AtomicLong;

/** What one exporter did with the records it was given: delivered, or failed and lost. */
public final class DeliveryStats {
  private final String exporter;
  private final AtomicLong exported = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong spooled = new AtomicLong();
  private final AtomicLong recovered = new AtomicLong();
  private final AtomicLong batchDropped = new AtomicLong();
  private final AtomicLong senderRestarts = new AtomicLong();
  private final AtomicLong quarantined = new AtomicLong();

  public DeliveryStats(String exporter) {
    this.exporter = exporter;
  }

  public String exporter() {
    return exporter;
  }

  public long exported() {
    return exported.get();
  }

  /** Records the destination never got: export failed or retries ran out. */
  public long failed() {
    return failed.get();
  }

  /** Records evicted from a full sending queue. */
  public long dropped() {
    return dropped.get();
  }

  /** Records left in the on-disk spool at shutdown, to be sent at the next start. */
  public long spooled() {
    return spooled.get();
  }

  /** Records found in the spool at start, left by a previous run. */
  public long recovered() {
    return recovered.get();
  }

  /** Records refused by a full batch queue (records or bytes) before they reached the exporter. */
  public long batchDropped() {
    return batchDropped.get();
  }

  /** Times the sending queue's sender thread failed unexpectedly and was started again. */
  public long senderRestarts() {
    return senderRestarts.get();
  }

  /**
   * Spool files set aside (.corrupt, or .old-format for an earlier version's), at start or when
   * read to be sent. Their declared records are counted as failed; a file whose header cannot be
   * read declares none, so the files are counted here as well.
   */
  public long quarantined() {
    return quarantined.get();
  }

  public void addQuarantined() {
    quarantined.incrementAndGet();
  }

  public void addBatchDropped(long n) {
    batchDropped.addAndGet(n);
  }

  public void addSenderRestart() {
    senderRestarts.incrementAndGet();
  }

  public void addExported(long n) {
    exported.addAndGet(n);
  }

  public void addFailed(long n) {
    failed.addAndGet(n);
  }

  public void addDropped(long n) {
    dropped.addAndGet(n);
  }

  public void addSpooled(long n) {
    spooled.addAndGet(n);
  }

  public void addRecovered(long n) {
    recovered.addAndGet(n);
  }
}
