package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.PolicyConfig;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.enrich.UserDirectory;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import io.github.otelkernel.receiver.export.GrpcChannels;
import io.github.otelkernel.receiver.export.LogRecordMapper;
import io.github.otelkernel.receiver.health.HealthCheckServer;
import io.github.otelkernel.receiver.policy.Policy;
import io.github.otelkernel.receiver.policy.PolicyCompiler;
import io.github.otelkernel.receiver.probe.BpfProbes;
import io.github.otelkernel.receiver.probe.ProbeFamilies;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * The running agent: probes → {@link RecordHandler} → mapper → one batch processor and exporter per
 * configured exporter, wired by {@link AgentBuilder} and read by the {@link PollLoop}. {@link
 * #start} returns once the probes are attached; {@link #close} detaches them, drains what the
 * kernel already captured, flushes every exporter and logs the {@link LossReport}.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());

  /** How long reading one /proc/PID may take at start-up before it is skipped. */
  static final Duration SEED_DEADLINE = Duration.ofSeconds(1);

  /** How long start-up waits for the whole of /proc to be read before it reports ready anyway. */
  static final Duration SEED_WAIT = Duration.ofSeconds(10);

  /**
   * How often the policy maps are compared with what the agent wrote (tampering is restored within
   * it).
   */
  static final Duration POLICY_CHECK = Duration.ofSeconds(2);

  /** How long a stop waits for the poll loop's current pass. */
  static final Duration LOOP_STOP_WAIT = Duration.ofSeconds(5);

  /**
   * What the builder wired; the agent owns all of it. {@code release} frees it after a failed
   * start.
   */
  record Parts(
      RunState runState,
      SdkMeterProvider meterProvider,
      SdkLoggerProvider loggerProvider,
      GrpcChannels channels,
      List<BuiltExporter> exporters,
      ExecutableHasher hasher,
      LogRecordMapper mapper,
      UserDirectory users,
      HealthCheckServer server,
      ScheduledExecutorService background,
      BpfProbes probes,
      PolicyCompiler policyCompiler,
      PollLoop loop,
      HealthReporter reporter,
      TableSeeding seeding,
      AtomicLong policyRestored,
      Runnable release) {}

  private final Parts p;
  private volatile boolean running;
  private boolean closed;

  Agent(Parts parts) {
    this.p = parts;
  }

  /** Wiring and checks; {@link AgentBuilder#start} gives a running agent. */
  public static AgentBuilder builder(AgentConfig config) {
    return new AgentBuilder(config);
  }

  /**
   * Attaches the probes and starts reading; returns once the process table knows the processes
   * already running (or SEED_WAIT passed). The builder's {@link AgentBuilder#start} releases
   * everything when this fails.
   */
  synchronized void start() {
    if (running || closed) {
      throw new IllegalStateException(closed ? "the agent was closed" : "the agent runs already");
    }
    List<String> attached = p.probes().attachAll();
    p.policyCompiler().registerAgentThreads();
    p.policyCompiler().registerAgentObjects(p.probes().objectIds());
    running = true;
    BpfProbes probes = p.probes();
    p.loop()
        .start(
            new PollLoop.Source() {
              @Override
              public int poll(int timeoutMillis) {
                return probes.poll(timeoutMillis);
              }

              @Override
              public int drain() {
                return probes.drain();
              }
            });
    ScheduledExecutorService bg = p.background();
    // user and group names: re-read when the files change, off the event path
    every(bg, "user names", p.users()::refreshIfChanged, Duration.ofSeconds(5));
    every(
        bg,
        "stall watchdog",
        () -> p.reporter().watch(p.loop().stalledNanos()),
        Duration.ofSeconds(1));
    every(bg, "policy check", this::verifyPolicy, POLICY_CHECK);
    // after attaching, so that a process started in between is seen either way; ready once the
    // table knows the processes that were already there (their events get ancestry); events keep
    // flowing meanwhile, and a stuck /proc costs at most SEED_WAIT
    p.seeding().start();
    if (!p.seeding().await(SEED_WAIT)) {
      LOG.warning(
          "process table: /proc is still being read after "
              + SEED_WAIT.toSeconds()
              + " s; starting anyway (events of processes not read yet lack ancestry)");
    }
    if (p.server() != null) {
      p.server().setReady(true);
    }
    if (p.runState() != null && p.runState().previous().isPresent()) {
      RunState.Unclean u = p.runState().previous().get();
      LOG.warning(
          "the previous run (pid "
              + u.pid()
              + ", started "
              + u.started()
              + ") did not stop cleanly: it was"
              + " last seen at "
              + u.lastSeen()
              + "; what happened on this host between then and now was not observed");
      p.reporter().emit(); // says so at once, in the data, not only in this log
    }
    LOG.fine(() -> "attached: " + String.join(", ", attached));
    LOG.info(
        "attached "
            + attached.size()
            + " probes ("
            + ProbeFamilies.summary(attached)
            + "); exporting to "
            + String.join(
                ", ",
                p.exporters().stream().map(e -> e.id() + " (" + e.description() + ")").toList()));
  }

  /**
   * On the background thread: a policy map changed behind the agent's back is put back, and said
   * so.
   */
  /**
   * A periodic task that no exception can end: the scheduler cancels a task that throws, silently,
   * and a watchdog or tamper check that stops is worse than one that logs a failure.
   */
  private static void every(
      ScheduledExecutorService bg, String what, Runnable task, Duration period) {
    var unused =
        bg.scheduleWithFixedDelay(
            () -> {
              try {
                task.run();
              } catch (RuntimeException e) {
                LOG.warning(what + ": " + e);
              }
            },
            period.toMillis(),
            period.toMillis(),
            TimeUnit.MILLISECONDS);
  }

  private void verifyPolicy() {
    try {
      if (!running) {
        return;
      }
      PolicyCompiler.Restored r = p.policyCompiler().verifyAndRestore();
      p.policyCompiler().registerAgentThreads();
      if (r.total() > 0) {
        p.policyRestored().addAndGet(r.total());
        LOG.warning(
            "policy maps changed by another process (entries per map: "
                + r.byMap()
                + "); restored. Something with CAP_BPF is tampering with the sensor");
      }
    } catch (RuntimeException e) {
      LOG.warning("policy check: " + e.getMessage()); // never let the scheduler drop the task
    }
  }

  /**
   * Compiles a policy into the running probes' maps and the mapper's redaction and merge rules,
   * without detaching anything: the agent's answer to SIGHUP.
   */
  public synchronized Policy applyPolicy(PolicyConfig config) {
    Policy policy = Policy.of(config);
    PolicyCompiler.Summary s = p.policyCompiler().apply(policy);
    p.mapper().applyPolicy(policy);
    LOG.info(
        "policy: "
            + s.enabledTypes()
            + " event types on, "
            + s.prefixes()
            + " path prefixes, "
            + (s.uidRules() + s.cgroupRules() + s.exeRules())
            + " process rules");
    return policy;
  }

  /** Every counter now: what agent.health would say. */
  public LossReport lossReport() {
    return p.reporter().report();
  }

  public int healthPort() {
    return p.server() == null ? -1 : p.server().port();
  }

  /** Non-null when the poll loop died; the agent should then stop. */
  public Throwable failure() {
    return p.loop().failure();
  }

  /**
   * Stops in the order that loses nothing: the kernel stops producing, what it produced is read,
   * the rate limits' records and a last agent.health go out, every exporter is flushed; then the
   * loss report of the whole run is logged.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    boolean wasRunning = running;
    if (p.server() != null) {
      p.server().setReady(false);
    }
    running = false;
    p.seeding().close();
    p.loop().stop(LOOP_STOP_WAIT);
    p.probes().detachAll(); // the kernel stops producing...
    try {
      p.probes().drain(); // ...and everything it produced is read
    } catch (RuntimeException e) {
      LOG.warning("draining the ring buffer failed: " + e.getMessage());
    }
    p.mapper().flushAll(); // records held by the rate limits
    if (wasRunning) {
      p.reporter().emit(); // the last word on what this run read and lost
    }
    p.reporter().kernelAtStop(); // read before the BPF object is closed
    p.background().shutdownNow();
    awaitBackground();
    p.hasher().close(); // late hashes still running are not waited for
    // flushes every batch processor; sending queues then get their drain time
    p.loggerProvider().shutdown().join(60, TimeUnit.SECONDS);
    p.meterProvider().forceFlush().join(10, TimeUnit.SECONDS); // final figures to the collector
    // the exporters' counts are final now; the SDK's drops are read from the meter provider, so
    // before it goes
    LossReport report = p.reporter().finalReport();
    p.meterProvider().shutdown().join(5, TimeUnit.SECONDS);
    p.channels().close();
    p.probes().close();
    if (p.server() != null) {
      p.server().close();
    }
    LOG.info("stopped: " + report.headline());
    for (String line : report.breakdown()) {
      LOG.info(line);
    }
    if (p.runState() != null) {
      p.runState().stopped(report.received());
    }
  }

  /** A background check still running must not reach the BPF object once it is closed. */
  private void awaitBackground() {
    try {
      p.background().awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * After a failed start: everything released, nothing flushed but what the providers' shutdown
   * sends.
   */
  synchronized void abort() {
    closed = true;
    running = false;
    p.loop().stop(Duration.ofSeconds(1));
    p.release().run();
  }

  public static String version() {
    try (InputStream in =
        Agent.class.getResourceAsStream("/otel-kernel-receiver-version.properties")) {
      var props = new java.util.Properties();
      if (in != null) {
        props.load(in);
      }
      return props.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
