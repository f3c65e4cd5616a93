package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.enrich.ProcSeeder;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The process table's first filling, with the processes that ran before the agent: /proc is read
 * off the poll thread, with a deadline per process, so that no process can hold the start-up or the
 * loop; what was read is applied on the poll thread, where the table lives.
 */
final class TableSeeding implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TableSeeding.class.getName());

  private final Path proc;
  private final Duration deadline;
  private final Predicate<ProcessTable.Seed> apply;
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile ProcSeeder seeder;
  private volatile long skipped;
  private int seeded; // poll thread only

  /**
   * @param apply takes one process into the table (false: what events said already is newer)
   */
  TableSeeding(Path proc, Duration deadline, Predicate<ProcessTable.Seed> apply) {
    this.proc = proc;
    this.deadline = deadline;
    this.apply = apply;
  }

  /**
   * Starts reading; after the probes are attached, so that a process started in between is seen
   * either way.
   */
  synchronized void start() {
    if (seeder == null && done.getCount() > 0) {
      seeder = new ProcSeeder(proc, deadline).start();
    }
  }

  /** On the poll thread: applies what has been read; once all of it is, the start-up may go on. */
  void drain() {
    ProcSeeder s = seeder;
    if (s == null) {
      return;
    }
    boolean finished = s.done(); // read before draining: nothing can be queued after done
    s.drain(
        seed -> {
          if (apply.test(seed)) {
            seeded++;
          }
        });
    if (finished) {
      seeder = null;
      skipped = s.skipped();
      if (skipped > 0) {
        LOG.warning(
            "process table: "
                + skipped
                + " processes from /proc skipped (reading them did not finish"
                + " within "
                + deadline.toSeconds()
                + " s); their events are still reported, without ancestry");
      }
      LOG.fine("process table seeded with " + seeded + " processes from /proc");
      done.countDown();
    }
  }

  /**
   * Waits until the table knows the processes that were there; false when {@code wait} ran out
   * first.
   */
  boolean await(Duration wait) {
    try {
      return done.await(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Processes whose read did not finish in time; known once seeding is done. */
  long skipped() {
    return skipped;
  }

  @Override
  public synchronized void close() {
    ProcSeeder s = seeder;
    if (s != null) {
      s.close();
    }
  }
}
