package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.BatchConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import io.github.otelkernel.receiver.config.Problem;
import io.github.otelkernel.receiver.config.QueueConfig;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.enrich.HostResource;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.enrich.UserDirectory;
import io.github.otelkernel.receiver.export.BoundedBatchProcessor;
import io.github.otelkernel.receiver.export.EcsScopes;
import io.github.otelkernel.receiver.export.ExporterFactory;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import io.github.otelkernel.receiver.export.LogRecordMapper;
import io.github.otelkernel.receiver.export.ProcessorDropCounter;
import io.github.otelkernel.receiver.health.HealthCheckServer;
import io.github.otelkernel.receiver.pipeline.LossReport.KernelCounts;
import io.github.otelkernel.receiver.policy.PolicyCompiler;
import io.github.otelkernel.receiver.probe.BpfProbes;
import io.github.otelkernel.receiver.probe.KernelPreflight;
import io.github.otelkernel.receiver.probe.ProbeException;
import io.github.otelkernel.semconv.KsecDataStreams;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.logs.LogRecordProcessor;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.SdkLoggerProviderBuilder;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.semconv.incubating.HostIncubatingAttributes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Checks a configuration and wires an {@link Agent} from it: exporters, batch processors, meter and
 * logger providers, enrichment, the record handler, the probes (loaded, policy compiled, not
 * attached) and the poll loop. All or nothing: what was made before a failure is released.
 */
public final class AgentBuilder {
  private static final Logger LOG = Logger.getLogger(AgentBuilder.class.getName());
  public static final String PROBES = "bpf/ksec.bpf.o";

  /** Longest a record waits in the ring buffer on a quiet host. */
  static final int POLL_MILLIS = 50;

  /** How often the loop compares the loss counters with the last warning. */
  static final Duration LOSS_CHECK = Duration.ofSeconds(10);

  /** Bounds of the enrichment state (docs/enrichment.md). */
  static final int PROCESS_TABLE_ENTRIES = 65_536;

  static final long EXIT_GRACE_NANOS = TimeUnit.SECONDS.toNanos(30);
  static final int HASH_CACHE_ENTRIES = 4_096;

  private final AgentConfig config;
  private PrintStream console = System.out;

  AgentBuilder(AgentConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Where the console exporter prints. */
  public AgentBuilder console(PrintStream console) {
    this.console = Objects.requireNonNull(console, "console");
    return this;
  }

  /**
   * Refuses a configuration the wiring cannot run, whatever made it (the loader checks the same for
   * files, but a config built in code has not been through it): one message, a line per problem.
   */
  public AgentBuilder validate() {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new ConfigException(String.join("\n", problems));
    }
    return this;
  }

  /**
   * What is wrong with a configuration, in its keys' names; empty when it can run: the
   * configuration's own checks ({@link AgentConfig#validate}), then what only creating an exporter
   * can tell (its TLS files parse), both without side effects. {@code validate} runs the same.
   */
  static List<String> problems(AgentConfig c) {
    List<String> out = new ArrayList<>(c.validate().stream().map(Problem::toString).toList());
    if (out.isEmpty()) {
      for (ExporterConfig e : c.exporters()) {
        if (e instanceof OtlpExporterConfig o) {
          try {
            ExporterFactory.check(o);
          } catch (ConfigException x) {
            out.add(x.getMessage());
          }
        }
      }
    }
    return out;
  }

  /** Validates, wires and starts: a running agent, or an exception and nothing left running. */
  public Agent start() {
    Agent agent = build();
    try {
      agent.start();
      return agent;
    } catch (RuntimeException e) {
      agent.abort();
      throw e;
    }
  }

  /**
   * Validates and wires: the probes are loaded and the policy is in their maps, nothing is attached
   * yet.
   */
  public Agent build() {
    validate();
    KernelPreflight.check();
    Wiring w = new Wiring();
    try {
      return w.wire();
    } catch (RuntimeException e) {
      w.undo.run();
      throw e;
    }
  }

  /**
   * Releases, last made first: what a failed start leaves behind. Each step runs even when an
   * earlier one failed; once only.
   */
  static final class Undo implements Runnable {
    private final Deque<Runnable> steps = new ArrayDeque<>();
    private boolean done;

    void add(Runnable step) {
      steps.push(step);
    }

    @Override
    public synchronized void run() {
      if (done) {
        return;
      }
      done = true;
      while (!steps.isEmpty()) {
        try {
          steps.pop().run();
        } catch (RuntimeException e) {
          LOG.warning("releasing after a failed start: " + e);
        }
      }
    }
  }

  /** One wiring: fields, so that the lambdas handed out early can reach what is made later. */
  private final class Wiring {
    final Undo undo = new Undo();
    final PipelineStats stats = new PipelineStats();
    final BootClock clock = new BootClock();
    final List<BuiltExporter> exporters = new ArrayList<>();
    final ProcessorDropCounter dropCounter = new ProcessorDropCounter();
    final AtomicLong policyRestored = new AtomicLong();
    final int agentPid = (int) ProcessHandle.current().pid();
    SdkMeterProvider meterProvider;
    SdkLoggerProvider loggerProvider;
    LogRecordMapper mapper;
    Enricher enricher;
    ProcessTable table;
    TableSeeding seeding;
    BpfProbes probes;

    Agent wire() {
      RunState runState = openRunState(config.receiver().stateDirectory());
      if (runState != null) {
        undo.add(
            () -> runState.stopped(stats.received())); // a start that failed is not a run that died
      }
      Resource resource =
          Resource.getDefault()
              .merge(HostResource.detect(Agent.version()))
              .merge(
                  Resource.create(
                      Attributes.of(
                          KsecDataStreams.NAMESPACE, config.receiver().dataStreamNamespace())));
      // the meter provider is needed by the exporters and the exporters' channels by the meter
      // provider: the factory takes a supplier that is filled in right after
      ExporterFactory factory =
          new ExporterFactory(console, config.storages(), () -> meterProvider);
      undo.add(() -> factory.channels().close());
      var meters =
          SdkMeterProvider.builder().setResource(resource).registerMetricReader(dropCounter);
      if (config.telemetry().enabled()) {
        for (ExporterConfig ec : config.exporters()) {
          if (ec instanceof OtlpExporterConfig o
              && config.telemetry().exporters().contains(o.id())) {
            meters.registerMetricReader(
                PeriodicMetricReader.builder(factory.metricExporter(o))
                    .setInterval(config.telemetry().interval())
                    .build());
          }
        }
      }
      meterProvider = meters.build();
      undo.add(() -> meterProvider.shutdown());
      SdkLoggerProviderBuilder lp = SdkLoggerProvider.builder().setResource(resource);
      List<LogRecordProcessor> processors = new ArrayList<>();
      for (ExporterConfig ec : config.exporters()) {
        BuiltExporter built = factory.build(ec);
        exporters.add(built);
        BatchConfig b = config.batch();
        processors.add(
            new BoundedBatchProcessor(
                built.exporter(),
                b.timeout(),
                b.sendBatchSize(),
                b.queueSize(),
                (long) b.queueSizeMib() << 20,
                Set.of(KsecEvents.AGENT_HEALTH),
                built.stats(),
                meterProvider));
      }
      // one wrapper for all exporters: each record gets its ECS scope once
      lp.addLogRecordProcessor(new EcsScopes(LogRecordProcessor.composite(processors)));
      loggerProvider = lp.build();
      undo.add(() -> loggerProvider.shutdown().join(5, TimeUnit.SECONDS));
      ExecutableHasher hasher = new ExecutableHasher(HASH_CACHE_ENTRIES, 1);
      undo.add(hasher::close);
      LossReport.Counters counters =
          new LossReport.Counters(
              stats,
              this::kernelCounts,
              () -> exporters.stream().map(LossReport.ExporterCounts::of).toList(),
              dropCounter::dropped,
              hasher::counts,
              () -> mapper == null ? 0 : mapper.merged(),
              () -> seeding == null ? 0 : seeding.skipped(),
              () -> table == null ? 0 : table.contextDropped(),
              () -> mapper == null ? 0 : mapper.incomplete());
      mapper =
          new LogRecordMapper(
              loggerProvider
                  .loggerBuilder(LogRecordMapper.SCOPE_NAME)
                  .setInstrumentationVersion(Agent.version())
                  .build(),
              clock,
              pid -> enricher.process(pid),
              agentPid);
      HealthCheckServer server = config.healthCheck().map(HealthCheckServer::start).orElse(null);
      if (server != null) {
        undo.add(server::close);
      }
      HealthReporter reporter =
          new HealthReporter(
              counters,
              h -> {
                mapper.agentRecords().emitHealth(h);
                stats.derived.incrementAndGet();
              },
              runState,
              server,
              policyRestored::get,
              config.receiver().healthInterval(),
              config.receiver().ringBufferSizeMib());
      AgentMetrics.register(meterProvider, reporter::metricsReport);
      UserDirectory users = new UserDirectory(Path.of("/etc/passwd"), Path.of("/etc/group"));
      String hostId = resource.getAttribute(HostIncubatingAttributes.HOST_ID);
      table =
          new ProcessTable(hostId == null ? "?" : hostId, PROCESS_TABLE_ENTRIES, EXIT_GRACE_NANOS);
      enricher =
          new Enricher(
              table,
              users,
              hasher,
              late -> {
                stats.derived.incrementAndGet();
                mapper.agentRecords().emitLateHash(late);
              });
      seeding = new TableSeeding(Path.of("/proc"), Agent.SEED_DEADLINE, enricher::applySeed);
      undo.add(seeding::close);
      ScheduledExecutorService background =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "enrich-refresh");
                t.setDaemon(true);
                return t;
              });
      undo.add(background::shutdownNow);
      List<PollLoop.Periodic> periodic = new ArrayList<>();
      periodic.add(new PollLoop.Periodic(LOSS_CHECK, reporter::checkLoss));
      if (config.receiver().healthInterval().isPositive()) {
        periodic.add(new PollLoop.Periodic(config.receiver().healthInterval(), reporter::emit));
      }
      PollLoop loop =
          new PollLoop(
              POLL_MILLIS,
              () -> {
                seeding.drain(); // what the seeder has read from /proc goes into the table, on this
                // thread
                mapper.flushExpired(System.nanoTime());
                clock.refresh();
              },
              periodic);
      RecordHandler handler =
          new RecordHandler(
              stats,
              new RecordDecoder()::decode,
              MemoryLimiter.forHeap(),
              QueueConfig.DEFAULT_LOW_PRIORITY,
              enricher::enrich,
              mapper::emit,
              loop::markProgress);
      probes = BpfProbes.load(probeObject(), PROBES, config.receiver().ringBufferBytes(), handler);
      undo.add(probes::close);
      PolicyCompiler policyCompiler =
          new PolicyCompiler(probes, agentPid, PolicyCompiler.cgroup2Root(), Path.of("/"));
      Agent agent =
          new Agent(
              new Agent.Parts(
                  runState,
                  meterProvider,
                  loggerProvider,
                  factory.channels(),
                  exporters,
                  hasher,
                  mapper,
                  users,
                  server,
                  background,
                  probes,
                  policyCompiler,
                  loop,
                  reporter,
                  seeding,
                  policyRestored,
                  undo));
      agent.applyPolicy(config.receiver().policy());
      return agent;
    }

    /** Read from the BPF maps on whichever thread asks; nothing before the probes are loaded. */
    KernelCounts kernelCounts() {
      BpfProbes p = probes;
      return p == null
          ? KernelCounts.NONE
          : new KernelCounts(
              p.ringBufferDrops(RecordDecoder.EVENT_TYPES),
              p.stashFailures(RecordDecoder.EVENT_TYPES));
    }
  }

  /**
   * The state directory, or null (with a warning) when it cannot be used: the agent runs without
   * the check.
   */
  private static RunState openRunState(Path dir) {
    try {
      return RunState.open(dir);
    } catch (IOException | RuntimeException e) {
      LOG.warning(
          "run state: cannot use "
              + dir
              + " ("
              + e.getMessage()
              + "); an unclean stop of this run will"
              + " not be reported at the next start (set receivers.ebpf.state_directory)");
      return null;
    }
  }

  /** The compiled probes, from the agent's jar. */
  public static byte[] probeObject() {
    try (InputStream in = Agent.class.getClassLoader().getResourceAsStream(PROBES)) {
      if (in == null) {
        throw new ProbeException(
            PROBES + " is missing from the agent jar: rebuild with 'mvn package'");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ProbeException("cannot read " + PROBES + ": " + e.getMessage());
    }
  }
}
