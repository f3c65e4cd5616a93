package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Reads the processes that started before the agent from /proc on its own thread, each with a
 * deadline, while the poll loop already runs: a process that makes its /proc reads block (its mm
 * lock held through a page fault on a file system that never answers) costs one skipped process,
 * counted, not a start-up that never finishes. The poll loop takes the results with {@link #drain}.
 */
public final class ProcSeeder implements AutoCloseable {
  /** Readers abandoned on a stuck read at most; past that the rest of /proc is skipped. */
  static final int MAX_STUCK = 4;

  private final Path proc;
  private final Function<Path, Optional<ProcessTable.Seed>> reader;
  private final Duration deadline;
  private final Queue<ProcessTable.Seed> ready = new ConcurrentLinkedQueue<>();
  private final AtomicLong skipped = new AtomicLong();
  private volatile boolean done;
  private volatile boolean closed;
  private final Thread thread;

  public ProcSeeder(Path proc, Duration deadline) {
    this(proc, deadline, ProcessTable::readSeed);
  }

  ProcSeeder(Path proc, Duration deadline, Function<Path, Optional<ProcessTable.Seed>> reader) {
    this.proc = proc;
    this.deadline = deadline;
    this.reader = reader;
    this.thread = new Thread(this::run, "proc-seed");
    thread.setDaemon(true);
  }

  public ProcSeeder start() {
    thread.start();
    return this;
  }

  /** /proc/PID directories, numeric names only. */
  static List<Path> processDirs(Path proc) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
      dirs.forEach(out::add);
    } catch (IOException e) {
      // nothing to seed from
    }
    return out;
  }

  private void run() {
    int stuck = 0;
    ExecutorService io = newReader();
    try {
      for (Path dir : processDirs(proc)) {
        if (closed) {
          return;
        }
        if (stuck >= MAX_STUCK) {
          skipped.incrementAndGet();
          continue;
        }
        Future<Optional<ProcessTable.Seed>> f = io.submit(() -> reader.apply(dir));
        try {
          f.get(deadline.toNanos(), TimeUnit.NANOSECONDS).ifPresent(ready::add);
        } catch (TimeoutException blocked) {
          // the reader thread stays blocked in the kernel: leave it, take a fresh one
          f.cancel(true);
          skipped.incrementAndGet();
          stuck++;
          io.shutdownNow();
          io = newReader();
        } catch (ExecutionException | RuntimeException e) {
          skipped.incrementAndGet();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      io.shutdownNow();
      done = true;
    }
  }

  private static ExecutorService newReader() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "proc-seed-read");
          t.setDaemon(true);
          return t;
        });
  }

  /** Hands what has been read so far to the poll thread; returns how many. */
  public int drain(java.util.function.Consumer<ProcessTable.Seed> apply) {
    int n = 0;
    for (ProcessTable.Seed s; (s = ready.poll()) != null; n++) {
      apply.accept(s);
    }
    return n;
  }

  /** True once every process was read or skipped (and the queue may still hold some). */
  public boolean done() {
    return done;
  }

  /** Processes skipped: their read did not finish within the deadline, or failed oddly. */
  public long skipped() {
    return skipped.get();
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
  }
}
