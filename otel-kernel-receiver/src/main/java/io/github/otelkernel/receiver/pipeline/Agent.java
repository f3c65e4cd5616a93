package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.PolicyConfig;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.policy.Policy;
import io.github.otelkernel.receiver.policy.PolicyCompiler;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.pipeline.PipelineStats.Stage;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.HostResource;
import io.github.otelkernel.receiver.export.BoundedBatchProcessor;
import io.github.otelkernel.receiver.export.ExporterFactory;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import io.github.otelkernel.receiver.export.LogRecordMapper;
import io.github.otelkernel.receiver.export.ProcessorDropCounter;
import io.github.otelkernel.receiver.health.HealthCheckServer;
import io.github.otelkernel.receiver.probe.BpfProbes;
import io.github.otelkernel.receiver.probe.KernelPreflight;
import io.github.otelkernel.receiver.probe.ProbeException;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.SdkLoggerProviderBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import java.util.function.LongSupplier;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.enrich.ProcSeeder;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.enrich.UserDirectory;
import io.opentelemetry.semconv.incubating.HostIncubatingAttributes;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.github.otelkernel.semconv.KsecEvents;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running agent: probes → decoder → mapper → one batch processor and exporter per configured
 * exporter. {@link #start} returns once the probes are attached; {@link #close} detaches them,
 * drains what the kernel already captured, flushes every exporter and reports what was lost.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Agent.class.getName());
  private static final String PROBES = "bpf/ksec.bpf.o";
  private static final long LOSS_CHECK_NANOS = TimeUnit.SECONDS.toNanos(10);
  /** Longest a record waits in the ring buffer on a quiet host. */
  private static final int POLL_MILLIS = 50;
  /** No progress of the poll loop for this long is a stall: health answers 503 and says so. */
  static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(5);
  /** Bounds of the enrichment state (docs/enrichment.md). */
  static final int PROCESS_TABLE_ENTRIES = 65_536;
  static final long EXIT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  static final int HASH_CACHE_ENTRIES = 4_096;

  private final AgentConfig config;
  private final PipelineStats stats = new PipelineStats();
  private final RecordDecoder decoder = new RecordDecoder();
  private final BootClock clock = new BootClock();
  private final List<BuiltExporter> exporters = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private final ProcessorDropCounter dropCounter = new ProcessorDropCounter();
  private SdkMeterProvider meterProvider;
  private ExporterFactory factory;
  private SdkLoggerProvider loggerProvider;
  private LogRecordMapper mapper;
  private Enricher enricher;
  private ProcessTable table;
  private RunState runState;
  /** The previous run's unclean stop goes in the first health record only (start or poll thread). */
  private final java.util.concurrent.atomic.AtomicBoolean previousUnreported = new java.util.concurrent.atomic.AtomicBoolean(true);
  private ExecutableHasher hasher;
  private UserDirectory users;
  private ScheduledExecutorService background;
  private HealthCheckServer health;
  private BpfProbes probes;
  private PolicyCompiler policyCompiler;
  private Thread pollThread;
  private volatile boolean running;
  private volatile Throwable pollFailure;
  private volatile ProcSeeder seeder;
  private final MemoryLimiter limiter = MemoryLimiter.forHeap();
  /** Record types the memory limiter sheds first, by type id. */
  private final boolean[] lowPriority = lowPriorityTypes();

  private static boolean[] lowPriorityTypes() {
    boolean[] low = new boolean[RecordDecoder.EVENT_TYPES];
    for (int t = 0; t < low.length; t++) {
      low[t] = AgentConfig.QueueConfig.DEFAULT_LOW_PRIORITY.contains(RecordDecoder.typeName(t));
    }
    return low;
  }
  /** How long reading one /proc/PID may take at start-up before it is skipped. */
  static final java.time.Duration SEED_DEADLINE = java.time.Duration.ofSeconds(1);
  /** How long start-up waits for the whole of /proc to be read before it reports ready anyway. */
  static final java.time.Duration SEED_WAIT = java.time.Duration.ofSeconds(10);
  private final java.util.concurrent.CountDownLatch seededLatch = new java.util.concurrent.CountDownLatch(1);
  /** When the poll loop last finished a record or a wait (System.nanoTime); the watchdog reads it. */
  private volatile long progressNanos = System.nanoTime();
  /** The watchdog's view: true from a stall's report until the loop moves again. */
  private boolean stallReported;
  private long reportedKernelLost;
  private long reportedQueueDropped;
  private boolean closed;
  /** Kernel loss counters as last read by the poll thread (the metrics read this copy). */
  private volatile long[] lostSnapshot = new long[RecordDecoder.EVENT_TYPES];

  private Agent(AgentConfig config) {
    this.config = config;
  }

  /** Starts everything or nothing: on failure, whatever was started is stopped again. */
  public static Agent start(AgentConfig config, PrintStream console) {
    Agent agent = new Agent(config);
    try {
      agent.startAll(console);
      return agent;
    } catch (RuntimeException e) {
      agent.abort();
      throw e;
    }
  }

  private void startAll(PrintStream console) {
    KernelPreflight.check();
    runState = openRunState(config.receiver().stateDirectory());
    Resource resource = Resource.getDefault().merge(HostResource.detect(version()));
    InstrumentationScopeInfo scope = InstrumentationScopeInfo.builder(LogRecordMapper.SCOPE_NAME).setVersion(version()).build();
    // the meter provider is needed by the exporters and the exporters' channels by the meter provider:
    // the factory takes a supplier that is filled in right after
    factory = new ExporterFactory(console, resource, scope, config.storages(), () -> meterProvider);
    var meters = SdkMeterProvider.builder().setResource(resource).registerMetricReader(dropCounter);
    if (config.telemetry().enabled()) {
      for (AgentConfig.ExporterConfig ec : config.exporters()) {
        if (ec instanceof AgentConfig.OtlpExporterConfig o && config.telemetry().exporters().contains(o.id())) {
          meters.registerMetricReader(PeriodicMetricReader.builder(factory.metricExporter(o))
              .setInterval(config.telemetry().interval())
              .build());
        }
      }
    }
    meterProvider = meters.build();
    SdkLoggerProviderBuilder lp = SdkLoggerProvider.builder().setResource(resource);
    for (AgentConfig.ExporterConfig ec : config.exporters()) {
      BuiltExporter built = factory.build(ec);
      exporters.add(built);
      AgentConfig.BatchConfig b = config.batch();
      lp.addLogRecordProcessor(new BoundedBatchProcessor(built.exporter(), b.timeout(), b.sendBatchSize(),
          b.queueSize(), (long) b.queueSizeMib() << 20, Set.of(KsecEvents.AGENT_HEALTH), built.stats(),
          meterProvider));
    }
    loggerProvider = lp.build();
    LongSupplier[] kernelLost = new LongSupplier[RecordDecoder.EVENT_TYPES];
    for (int t = 0; t < kernelLost.length; t++) {
      int type = t;
      kernelLost[t] = () -> lostSnapshot[type];
    }
    hasher = new ExecutableHasher(HASH_CACHE_ENTRIES, 1);
    AgentMetrics.register(meterProvider, stats, kernelLost, exporters, hasher);
    mapper = new LogRecordMapper(
        loggerProvider.loggerBuilder(LogRecordMapper.SCOPE_NAME).setInstrumentationVersion(version()).build(),
        clock, pid -> enricher.process(pid), (int) ProcessHandle.current().pid());
    if (config.healthCheck().isPresent()) {
      health = HealthCheckServer.start(config.healthCheck().get());
    }
    users = new UserDirectory(Path.of("/etc/passwd"), Path.of("/etc/group"));
    table = new ProcessTable(resource.getAttribute(HostIncubatingAttributes.HOST_ID) == null ? "?"
        : resource.getAttribute(HostIncubatingAttributes.HOST_ID), PROCESS_TABLE_ENTRIES, EXIT_GRACE_NANOS);
    enricher = new Enricher(table,
        users, hasher, late -> {
          stats.derived.incrementAndGet();
          mapper.emitLateHash(late);
        });
    background = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "enrich-refresh");
      t.setDaemon(true);
      return t;
    });
    // user and group names: re-read when the files change, off the event path
    background.scheduleWithFixedDelay(users::refreshIfChanged, 5, 5, TimeUnit.SECONDS);
    background.scheduleWithFixedDelay(this::watchdog, 1, 1, TimeUnit.SECONDS);
    probes = BpfProbes.load(probeObject(), PROBES, config.receiver().ringBufferBytes(), this::onRecord);
    policyCompiler = new PolicyCompiler(probes, (int) ProcessHandle.current().pid(), PolicyCompiler.cgroup2Root(),
        Path.of("/"));
    applyPolicy(config.receiver().policy());
    background.scheduleWithFixedDelay(this::verifyPolicy, POLICY_CHECK.toMillis(), POLICY_CHECK.toMillis(),
        TimeUnit.MILLISECONDS);
    List<String> attached = probes.attachAll();
    policyCompiler.registerAgentThreads();
    policyCompiler.registerAgentObjects(probes.objectIds());
    running = true;
    pollThread = new Thread(this::pollLoop, "ebpf-poll");
    pollThread.setDaemon(true);
    pollThread.start();
    // after attaching, so that a process started in between is seen either way; read off the poll
    // thread with a deadline per process, so that no process can hold the start-up (or the loop)
    seeder = new ProcSeeder(Path.of("/proc"), SEED_DEADLINE).start();
    // ready once the table knows the processes that were already there (their events get ancestry);
    // events keep flowing meanwhile, and a stuck /proc costs at most SEED_WAIT
    try {
      if (!seededLatch.await(SEED_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        LOG.warning("process table: /proc is still being read after " + SEED_WAIT.toSeconds()
            + " s; starting anyway (events of processes not read yet lack ancestry)");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (health != null) {
      health.setReady(true);
    }
    if (runState != null && runState.previous().isPresent()) {
      RunState.Unclean u = runState.previous().get();
      LOG.warning("the previous run (pid " + u.pid() + ", started " + u.started() + ") did not stop cleanly: it was"
          + " last seen at " + u.lastSeen() + "; what happened on this host between then and now was not observed");
      emitHealth(); // says so at once, in the data, not only in this log
    }
    LOG.info("attached " + attached.size() + " probes (" + String.join(", ", attached) + "); exporting to "
        + String.join(", ", exporters.stream().map(e -> e.id() + " (" + e.description() + ")").toList()));
  }

  private static byte[] probeObject() {
    try (InputStream in = Agent.class.getClassLoader().getResourceAsStream(PROBES)) {
      if (in == null) {
        throw new ProbeException(PROBES + " is missing from the agent jar: rebuild with 'mvn package'");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ProbeException("cannot read " + PROBES + ": " + e.getMessage());
    }
  }

  /**
   * Called on the poll thread for every record copied out of the ring buffer. Nothing a record
   * holds may end the stream: each stage's failure is counted and the record skipped.
   */
  private void onRecord(byte[] record) {
    progressNanos = System.nanoTime();
    KernelEvent event;
    try {
      event = decoder.decode(record);
    } catch (RuntimeException e) { // MalformedRecordException, or a decoder bug on an odd record
      failed(Stage.DECODE, "skipped a kernel record that could not be decoded", e);
      return;
    }
    int type = switch (event) {
      case KernelEvent.ProcessExec x -> 1;
      case KernelEvent.ProcessFork f -> 2;
      case KernelEvent.ProcessExit x -> 3;
      case KernelEvent.SysCall s -> s.type().id();
    };
    stats.received.incrementAndGet(type);
    if (!limiter.admit(type < lowPriority.length && lowPriority[type], progressNanos)) {
      stats.shed.incrementAndGet(type); // the heap is near its limit: counted, not an OutOfMemoryError
      return;
    }
    ProcessContext ctx;
    try {
      ctx = enricher.enrich(event);
    } catch (RuntimeException e) {
      failed(Stage.ENRICH, "could not enrich a " + RecordDecoder.typeName(type) + " event", e);
      return;
    }
    try {
      mapper.emit(event, ctx);
    } catch (RuntimeException e) {
      failed(Stage.MAP, "could not map a " + RecordDecoder.typeName(type) + " event", e);
    }
  }

  /** Counts a record a stage failed on; the first few are logged, on one line each. */
  private void failed(Stage stage, String what, RuntimeException e) {
    if (stats.fail(stage) <= 10) {
      LOG.warning(what + " (" + stage.key() + "): " + String.valueOf(e));
    }
  }

  private void pollLoop() {
    long lastCheck = System.nanoTime();
    long healthEvery = config.receiver().healthInterval().toNanos();
    long lastHealth = System.nanoTime();
    try {
      while (running) {
        clock.refresh();
        probes.poll(POLL_MILLIS);
        probes.drain(); // records submitted without a wake-up (see WAKEUP_BYTES in common.h)
        progressNanos = System.nanoTime();
        seedProcessTable();
        mapper.flushExpired(System.nanoTime());
        if (running && System.nanoTime() - lastCheck > LOSS_CHECK_NANOS) {
          reportLoss();
          lastCheck = System.nanoTime();
        }
        if (running && healthEvery > 0 && System.nanoTime() - lastHealth > healthEvery) {
          emitHealth();
          lastHealth = System.nanoTime();
        }
      }
    } catch (Throwable t) {
      pollFailure = t;
      LOG.log(Level.SEVERE, "reading kernel events failed: " + t.getMessage(), t);
    }
  }

  /** On the poll thread: what the seeder has read from /proc goes into the table. */
  private void seedProcessTable() {
    ProcSeeder s = seeder;
    if (s == null) {
      return;
    }
    boolean done = s.done(); // read before draining: nothing can be queued after done
    seeded += s.drain(enricher::applySeed);
    if (done) {
      seeder = null;
      if (s.skipped() > 0) {
        LOG.warning("process table: " + s.skipped() + " processes from /proc skipped (reading them did not finish"
            + " within " + SEED_DEADLINE.toSeconds() + " s); their events are still reported, without ancestry");
      }
      LOG.fine("process table seeded with " + seeded + " processes from /proc");
      seedSkipped = s.skipped();
      seededLatch.countDown();
    }
  }

  private int seeded;
  /** Calls the kernel could not stash for their exit, read at stop. */
  private long stashFailed;
  private volatile long seedSkipped;

  /**
   * Warns in the agent's log when loss has grown since the last report. Called on the poll
   * thread only; not synchronized on the agent, whose close() waits for that thread.
   */
  private void reportLoss() {
    lostSnapshot = kernelLostByType();
    long kernelLost = kernelLost();
    long queueDropped = queueDropped();
    if (kernelLost > reportedKernelLost) {
      LOG.warning("kernel ring buffer was full: " + (kernelLost - reportedKernelLost) + " events lost ("
          + kernelLost + " in total); raise receivers.ebpf.ring_buffer_size_mib (now "
          + config.receiver().ringBufferSizeMib() + ")");
    }
    if (queueDropped > reportedQueueDropped) {
      LOG.warning("exporter queues were full: " + (queueDropped - reportedQueueDropped)
          + " records dropped; an exporter is too slow or unreachable, or raise processors.batch.queue_size");
    }
    reportedKernelLost = kernelLost;
    reportedQueueDropped = queueDropped;
  }

  /**
   * On the background thread: a poll loop that has stopped moving (one record holding it, a
   * blocked exporter) is reported, not hidden: health turns 503 with the reason, and an
   * agent.health record says so, once per stall, since the loop cannot send its own.
   */
  private void watchdog() {
    try {
      if (!running) {
        return;
      }
      long stalled = System.nanoTime() - progressNanos;
      if (stalled > STALL_NANOS) {
        String reason = "the event loop has made no progress for " + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s";
        if (health != null) {
          health.setStalled(reason);
        }
        if (!stallReported) {
          stallReported = true;
          LOG.warning(reason + ": events are waiting in the kernel ring buffer");
          emitHealth();
        }
      } else if (stallReported) {
        stallReported = false;
        if (health != null) {
          health.setStalled(null);
        }
        LOG.info("the event loop is moving again");
      }
    } catch (RuntimeException e) {
      LOG.warning("health watchdog: " + e); // never let the scheduler drop the task
    }
  }

  private void emitHealth() {
    LogRecordMapper.AgentHealth h = health();
    mapper.emitHealth(h);
    stats.derived.incrementAndGet();
    if (runState != null && h.previousUnclean().isPresent()) {
      runState.reported();
    }
    if (runState != null) {
      runState.alive(stats.received());
    }
  }

  /** The state directory, or null (with a warning) when it cannot be used: the agent runs without the check. */
  private static RunState openRunState(Path dir) {
    try {
      return RunState.open(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warning("run state: cannot use " + dir + " (" + e.getMessage() + "); an unclean stop of this run will"
          + " not be reported at the next start (set receivers.ebpf.state_directory)");
      return null;
    }
  }

  /** The counters an agent.health record carries. */
  private LogRecordMapper.AgentHealth health() {
    long exported = 0;
    long lostExport = 0;
    long waiting = 0;
    for (BuiltExporter e : exporters) {
      exported += e.stats().exported();
      lostExport += e.stats().failed() + e.stats().dropped();
      waiting += e.queue().map(q -> (long) q.pending()).orElse(0L);
    }
    long stalled = System.nanoTime() - progressNanos;
    return new LogRecordMapper.AgentHealth(stats.received(), exported, kernelLost(), queueDropped(),
        stats.shed(),
        lostExport, stats.malformed(), mapper.merged(), waiting,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos), stats.failedByStage(), hasherCounts(),
        running && stalled > STALL_NANOS ? TimeUnit.NANOSECONDS.toSeconds(stalled) : 0, // not at stop
        runState != null && previousUnreported.getAndSet(false)
            ? runState.previous().map(u -> new LogRecordMapper.PreviousRun(u.lastSeen(), u.received()))
            : Optional.empty(),
        policyRestored.get(), config.receiver().healthInterval().toSeconds());
  }

  /** Records the batch queues refused: the SDK's count (never reached while the bytes gate works) and the gate's. */
  private long queueDropped() {
    long n = dropCounter.dropped();
    for (BuiltExporter e : exporters) {
      n += e.stats().batchDropped();
    }
    return n;
  }

  /** The hasher's outcomes as name=count, for agent.health and the summary. */
  private List<String> hasherCounts() {
    return List.of("hashed=" + hasher.hashed(), "cache_hits=" + hasher.cacheHits(), "failed=" + hasher.failed(),
        "dropped=" + hasher.dropped(), "too_large=" + hasher.tooLarge(), "refused=" + hasher.refused(),
        "timed_out=" + hasher.timedOut());
  }

  /** Events lost in the kernel, per type: the ring buffer was full, or the call could not be stashed. */
  private long[] kernelLostByType() {
    long[] lost = probes.ringBufferDrops(RecordDecoder.EVENT_TYPES);
    long[] stash = probes.stashFailures(RecordDecoder.EVENT_TYPES);
    for (int t = 0; t < lost.length; t++) {
      lost[t] += stash[t];
    }
    return lost;
  }

  public long kernelLost() {
    long n = 0;
    for (long v : kernelLostByType()) {
      n += v;
    }
    return n;
  }

  /**
   * Compiles a policy into the running probes' maps and the mapper's redaction and merge rules,
   * without detaching anything: the agent's answer to SIGHUP.
   */
  /** How often the policy maps are compared with what the agent wrote (tampering is restored within it). */
  static final java.time.Duration POLICY_CHECK = java.time.Duration.ofSeconds(2);
  /** Policy map entries found changed by someone else and restored, since start. */
  private final java.util.concurrent.atomic.AtomicLong policyRestored = new java.util.concurrent.atomic.AtomicLong();

  /** On the background thread: a policy map changed behind the agent's back is put back, and said so. */
  private void verifyPolicy() {
    try {
      if (!running) {
        return;
      }
      PolicyCompiler.Restored r = policyCompiler.verifyAndRestore();
      policyCompiler.registerAgentThreads();
      if (r.total() > 0) {
        policyRestored.addAndGet(r.total());
        LOG.warning("policy maps changed by another process (entries per map: " + r.byMap()
            + "); restored. Something with CAP_BPF is tampering with the sensor");
      }
    } catch (RuntimeException e) {
      LOG.warning("policy check: " + e.getMessage()); // never let the scheduler drop the task
    }
  }

  public synchronized Policy applyPolicy(PolicyConfig config) {
    Policy policy = Policy.of(config);
    PolicyCompiler.Summary s = policyCompiler.apply(policy);
    mapper.applyPolicy(policy);
    LOG.info("policy: " + s.enabledTypes() + " event types on, " + s.prefixes() + " path prefixes, "
        + (s.uidRules() + s.cgroupRules() + s.exeRules()) + " process rules");
    return policy;
  }

  public PipelineStats stats() {
    return stats;
  }

  public int healthPort() {
    return health == null ? -1 : health.port();
  }

  /** Non-null when the poll loop died; the agent should then stop. */
  public Throwable failure() {
    return pollFailure;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (health != null) {
      health.setReady(false);
    }
    running = false;
    if (seeder != null) {
      seeder.close();
    }
    if (pollThread != null) {
      try {
        pollThread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    long[] lost = new long[RecordDecoder.EVENT_TYPES];
    if (probes != null) {
      probes.detachAll(); // the kernel stops producing...
      try {
        probes.drain(); // ...and everything it produced is read
      } catch (RuntimeException e) {
        LOG.warning("draining the ring buffer failed: " + e.getMessage());
      }
      if (mapper != null) {
        mapper.flushAll(); // records held by the rate limits
        emitHealth(); // the last word on what this run read and lost
      }
      lost = kernelLostByType();
      lostSnapshot = lost;
      stashFailed = java.util.Arrays.stream(probes.stashFailures(RecordDecoder.EVENT_TYPES)).sum();
    }
    if (background != null) {
      background.shutdownNow();
    }
    if (hasher != null) {
      hasher.close(); // late hashes still running are not waited for
    }
    if (loggerProvider != null) {
      // flushes every batch processor; sending queues then get their drain time
      loggerProvider.shutdown().join(60, TimeUnit.SECONDS);
    }
    if (meterProvider != null) {
      meterProvider.forceFlush().join(10, TimeUnit.SECONDS); // final figures to the collector
    }
    long queueDropped = queueDropped();
    if (meterProvider != null) {
      meterProvider.shutdown().join(5, TimeUnit.SECONDS);
    }
    releaseResources();
    LOG.info(summary(lost, queueDropped));
    if (runState != null) {
      runState.stopped(stats.received());
    }
  }

  /** Channels, BPF object and health server: what outlives the exporters' shutdown. */
  private void releaseResources() {
    if (factory != null) {
      factory.channels().close();
    }
    if (probes != null) {
      probes.close();
    }
    if (health != null) {
      health.close();
    }
  }

  private String summary(long[] lost, long queueDropped) {
    StringBuilder sb = new StringBuilder("stopped: received=").append(stats.received()).append(" (");
    long kernelLost = 0;
    for (int t = 1; t <= 3; t++) {
      sb.append(t > 1 ? " " : "").append(RecordDecoder.typeName(t)).append('=').append(stats.received(t));
    }
    for (long l : lost) {
      kernelLost += l;
    }
    sb.append(") kernel_lost=").append(kernelLost);
    if (kernelLost > 0) {
      sb.append(" (");
      for (int t = 1; t <= 3; t++) {
        sb.append(t > 1 ? " " : "").append(RecordDecoder.typeName(t)).append('=').append(lost[t]);
      }
      sb.append(')');
    }
    // merged: repeats folded into another record's ksec.event.count, so not records of their own
    sb.append(" derived=").append(stats.derived()).append(" merged=").append(mapper == null ? 0 : mapper.merged())
        .append(" malformed=").append(stats.malformed());
    for (Stage stage : Stage.values()) {
      sb.append(' ').append(stage.key()).append("_failed=").append(stats.failed(stage));
    }
    sb.append(" queue_dropped=").append(queueDropped).append(" memory_shed=").append(stats.shed());
    sb.append(" stash_failed=").append(stashFailed); // read before the BPF object was closed
    if (seedSkipped > 0) {
      sb.append(" seed_skipped=").append(seedSkipped);
    }
    if (table != null && table.contextDropped() > 0) {
      sb.append(" process_context_dropped=").append(table.contextDropped()); // the table's byte budget was spent
    }
    if (hasher != null) {
      sb.append(" | hasher: ").append(String.join(" ", hasherCounts()));
    }
    for (BuiltExporter e : exporters) {
      sb.append(" | ").append(e.id()).append(": exported=").append(e.stats().exported())
          .append(" failed=").append(e.stats().failed()).append(" batch_dropped=").append(e.stats().batchDropped());
      if (e.queue().isPresent()) {
        sb.append(" dropped=").append(e.stats().dropped()).append(" spooled=").append(e.stats().spooled())
            .append(" recovered=").append(e.stats().recovered()).append(" quarantined_files=")
            .append(e.stats().quarantined()).append(" sender_restarts=").append(e.stats().senderRestarts());
      }
    }
    return sb.toString();
  }

  private void abort() {
    running = false;
    if (runState != null) {
      runState.stopped(stats.received()); // a start that failed is not a run that died
    }
    if (background != null) {
      background.shutdownNow();
    }
    if (hasher != null) {
      hasher.close();
    }
    releaseResources();
    if (loggerProvider != null) {
      loggerProvider.shutdown().join(5, TimeUnit.SECONDS);
    }
    if (meterProvider != null) {
      meterProvider.shutdown();
    }
  }

  public static String version() {
    try (InputStream in = Agent.class.getResourceAsStream("/otel-kernel-receiver-version.properties")) {
      var p = new java.util.Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
