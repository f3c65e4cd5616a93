package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.export.AgentRecords.AgentHealth;
import io.github.otelkernel.receiver.export.AgentRecords.PreviousRun;
import io.github.otelkernel.receiver.health.HealthCheckServer;
import io.github.otelkernel.receiver.pipeline.LossReport.KernelCounts;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * The agent's word on itself, from {@link LossReport}s: agent.health records, warnings in the log
 * when losses grow, and the watchdog that turns a poll loop which stopped moving into a 503 and a
 * record, since the loop cannot send its own.
 */
final class HealthReporter {
  private static final Logger LOG = Logger.getLogger(HealthReporter.class.getName());

  /** No progress of the poll loop for this long is a stall: health answers 503 and says so. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);

  private final LossReport.Counters counters;
  private final Consumer<AgentHealth> sink;
  private final RunState runState;
  private final HealthCheckServer server;
  private final LongSupplier policyRestored;
  private final Duration interval;
  private final int ringBufferSizeMib;
  private final long startNanos = System.nanoTime();

  /** The previous run's unclean stop goes in the first record only, whichever thread sends it. */
  private final AtomicBoolean previousUnreported = new AtomicBoolean(true);

  /**
   * The kernel's counters and the SDK's drops as last read on the poll thread: what the metrics
   * report, without a BPF call from the metrics thread or a collection from inside a collection.
   */
  private volatile KernelCounts lastKernel = KernelCounts.NONE;

  private volatile long lastSdkDropped;

  /** What the log last warned about (poll thread only). */
  private LossReport warned = LossReport.empty();

  /**
   * The watchdog's view (its thread only): true from a stall's report until the loop moves again.
   */
  private boolean stallReported;

  /**
   * @param sink emits the record (and counts it as derived)
   * @param runState where the agent notes it is alive; null when the state directory is unusable
   * @param server the health endpoint; null when not configured
   */
  HealthReporter(
      LossReport.Counters counters,
      Consumer<AgentHealth> sink,
      RunState runState,
      HealthCheckServer server,
      LongSupplier policyRestored,
      Duration interval,
      int ringBufferSizeMib) {
    this.counters = counters;
    this.sink = sink;
    this.runState = runState;
    this.server = server;
    this.policyRestored = policyRestored;
    this.interval = interval;
    this.ringBufferSizeMib = ringBufferSizeMib;
  }

  /** Every counter now, the kernel's read from its maps. */
  LossReport report() {
    return LossReport.from(counters);
  }

  /**
   * For the metrics: every counter now but the kernel's and the SDK's, which are as last read on
   * the poll thread.
   */
  LossReport metricsReport() {
    return LossReport.from(counters.with(() -> lastKernel, () -> lastSdkDropped));
  }

  /**
   * On the poll thread, every few seconds: warns in the log about what was lost since the last
   * warning.
   */
  void checkLoss() {
    LossReport now = report();
    lastKernel = now.kernel();
    lastSdkDropped = now.sdkQueueDropped();
    for (String w : now.warningsSince(warned, ringBufferSizeMib)) {
      LOG.warning(w);
    }
    warned = now;
  }

  /**
   * At stop, once the probes are detached and drained: the kernel's final counters, read before the
   * BPF object is closed, become the metrics' last word and the final report's.
   */
  void kernelAtStop() {
    lastKernel = counters.kernel().get();
  }

  /**
   * At stop, after the exporters' flush: the run's report, with the kernel's counters as noted at
   * stop.
   */
  LossReport finalReport() {
    return LossReport.from(counters.with(() -> lastKernel, counters.sdkQueueDropped()));
  }

  /**
   * Sends one agent.health record (the loop is not stalled) and notes in the run state that the
   * agent is alive.
   */
  void emit() {
    emit(0);
  }

  private void emit(long stalledNanos) {
    LossReport r = report();
    AgentHealth h = health(r, stalledNanos);
    sink.accept(h);
    if (runState != null) {
      if (h.previousUnclean().isPresent()) {
        runState.reported();
      }
      runState.alive(r.received());
    }
  }

  AgentHealth health(LossReport r, long stalledNanos) {
    Optional<PreviousRun> previous =
        runState != null && previousUnreported.getAndSet(false)
            ? runState.previous().map(u -> new PreviousRun(u.lastSeen(), u.received()))
            : Optional.empty();
    return new AgentHealth(
        r.received(),
        r.exported(),
        r.kernelLost(),
        r.queueDropped(),
        r.shed(),
        r.exportLost(),
        r.malformed(),
        r.merged(),
        r.incomplete(),
        r.waiting(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos),
        r.failedByStage(),
        r.hasher().asList(),
        stalledNanos > STALL_NANOS ? TimeUnit.NANOSECONDS.toSeconds(stalledNanos) : 0,
        previous,
        policyRestored.getAsLong(),
        interval.toSeconds());
  }

  /**
   * On the background thread, every second or so, with how long the loop has not moved: a stall is
   * reported once (log, 503, a record); the endpoint answers 200 again once the loop moves.
   */
  void watch(long stalledNanos) {
    try {
      if (stalledNanos > STALL_NANOS) {
        String reason =
            "the event loop has made no progress for "
                + TimeUnit.NANOSECONDS.toSeconds(stalledNanos)
                + " s";
        if (server != null) {
          server.setStalled(reason);
        }
        if (!stallReported) {
          stallReported = true;
          LOG.warning(reason + ": events are waiting in the kernel ring buffer");
          emit(stalledNanos);
        }
      } else if (stallReported) {
        stallReported = false;
        if (server != null) {
          server.setStalled(null);
        }
        LOG.info("the event loop is moving again");
      }
    } catch (RuntimeException e) {
      LOG.warning("health watchdog: " + e); // never let the scheduler drop the task
    }
  }
}
