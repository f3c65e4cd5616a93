package io.github.otelkernel.receiver.pipeline;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one thread that reads the kernel ring buffer: waits for records, drains what came without a
 * wake-up, then runs the per-pass work and whatever periodic task is due. It notes its progress, so
 * that a loop held by one record or a blocked exporter can be told from a quiet host.
 */
final class PollLoop {
  private static final Logger LOG = Logger.getLogger(PollLoop.class.getName());
  static final String THREAD_NAME = "ebpf-poll";

  /**
   * What the loop reads; {@code BpfProbes} in the agent. Both hand each record to the sink
   * themselves.
   */
  interface Source {
    /** Waits up to timeoutMillis for records. */
    int poll(int timeoutMillis);

    /** Consumes what is there without waiting. */
    int drain();
  }

  /** A task run on the loop's thread at most every {@code every}, only while the loop runs. */
  record Periodic(Duration every, Runnable task) {}

  private final int pollMillis;
  private final Runnable eachPass;
  private final List<Periodic> periodic;
  private final long[] lastRun;
  private volatile boolean running;
  private volatile long progressNanos = System.nanoTime();
  private volatile Throwable failure;
  private Thread thread;

  /**
   * @param pollMillis longest a record waits in the ring buffer on a quiet host
   * @param eachPass work after every poll (the clock, the process table, the merge windows)
   */
  PollLoop(int pollMillis, Runnable eachPass, List<Periodic> periodic) {
    this.pollMillis = pollMillis;
    this.eachPass = eachPass;
    this.periodic = List.copyOf(periodic);
    this.lastRun = new long[this.periodic.size()];
  }

  /** Starts the thread; once only. */
  synchronized void start(Source source) {
    if (thread != null) {
      throw new IllegalStateException("the poll loop was started already");
    }
    running = true;
    long now = System.nanoTime();
    progressNanos = now;
    java.util.Arrays.fill(lastRun, now);
    thread = new Thread(() -> run(source), THREAD_NAME);
    thread.setDaemon(true);
    thread.start();
  }

  private void run(Source source) {
    try {
      while (running) {
        source.poll(pollMillis);
        source.drain(); // records submitted without a wake-up (see WAKEUP_BYTES in common.h)
        markProgress(System.nanoTime());
        eachPass.run();
        for (int i = 0; i < periodic.size(); i++) {
          long now = System.nanoTime();
          Periodic p = periodic.get(i);
          if (running && now - lastRun[i] > p.every().toNanos()) {
            p.task().run();
            lastRun[i] = System.nanoTime();
          }
        }
      }
    } catch (Throwable t) {
      // running stays set: a dead loop makes no progress, and is reported as stalled until stopped
      failure = t;
      LOG.log(Level.SEVERE, "reading kernel events failed: " + t.getMessage(), t);
    }
  }

  /** The loop (or a record it is handling) moved at this System.nanoTime. */
  void markProgress(long nanos) {
    progressNanos = nanos;
  }

  /**
   * How long the loop has not moved (a dead one included); 0 once stopped, which is not a stall.
   */
  long stalledNanos() {
    return running ? Math.max(0, System.nanoTime() - progressNanos) : 0;
  }

  /** Non-null when the loop died; the agent should then stop. */
  Throwable failure() {
    return failure;
  }

  /**
   * Ends the loop after its current pass and waits for the thread, at most {@code wait}: a pass
   * held by a blocked stage is left behind (the thread is a daemon) rather than holding the stop.
   * Returns whether the thread ended.
   */
  boolean stop(Duration wait) {
    running = false;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null) {
      return true;
    }
    try {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait.toNanos())));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !t.isAlive();
  }
}
