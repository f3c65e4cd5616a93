package io.github.otelkernel.receiver.export;

import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEvents;
import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.*;

import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExec;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExit;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessFork;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.export.events.SysEventContext;
import io.github.otelkernel.receiver.export.events.SysEventMappers;
import io.github.otelkernel.receiver.policy.Aggregator;
import io.github.otelkernel.receiver.policy.Policy;
import io.github.otelkernel.receiver.memory.RecordSize;
import io.github.otelkernel.receiver.policy.Redactor;
import io.opentelemetry.semconv.ErrorAttributes;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import io.github.otelkernel.receiver.decode.PartialPath;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.opentelemetry.semconv.incubating.ContainerIncubatingAttributes;
import io.opentelemetry.semconv.incubating.K8sIncubatingAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.semconv.incubating.ThreadIncubatingAttributes;
import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One kernel event → one OTel log record, through the stages in order: {@link EventMapper} (EventName,
 * body, attributes), {@link Redactor}, {@link Aggregator} (merging repeats), then the SDK logger. Also
 * the producer of the agent's own records (agent.health, the late executable hash).
 */
public final class LogRecordMapper {
  /** Instrumentation scope of every record the agent emits. */
  public static final String SCOPE_NAME = "io.github.otelkernel.receiver.ebpf";

  private final Logger logger;
  private final BootClock clock;
  private final IntFunction<Optional<ProcessTable.Entry>> processes;
  private final int agentPid;
  private final Aggregator aggregator;
  private final EventMapper mapper;
  /** Replaced whole on a policy reload; read on the poll thread. */
  private volatile Redactor redactor = new Redactor(true, List.of());
  private volatile Map<EventType, Long> windows = Map.of();

  public LogRecordMapper(Logger logger, BootClock clock) {
    this(logger, clock, pid -> Optional.empty(), 0);
  }

  /**
   * @param processes the process table, to describe the target of a ptrace, a signal…
   * @param agentPid this agent's pid, to mark actions aimed at it
   */
  public LogRecordMapper(Logger logger, BootClock clock, IntFunction<Optional<ProcessTable.Entry>> processes,
      int agentPid) {
    this.logger = logger;
    this.clock = clock;
    this.processes = processes;
    this.agentPid = agentPid;
    this.aggregator = new Aggregator(MAX_OPEN_WINDOWS, this::send);
    this.mapper = new EventMapper(clock, processes, agentPid);
  }

  /** Open aggregation windows at most; past it the oldest closes early. */
  static final int MAX_OPEN_WINDOWS = 65_536;

  /** Takes the redaction rules and merge windows of a (re)loaded policy. */
  public void applyPolicy(Policy policy) {
    Map<EventType, Long> w = new EnumMap<>(EventType.class);
    policy.types().forEach((t, tp) -> {
      if (!tp.aggregate().isZero()) {
        w.put(t, tp.aggregate().toNanos());
      }
    });
    windows = w;
    redactor = new Redactor(policy.defaultRedaction(), policy.redaction());
  }

  /** Closes aggregation windows whose time is up; on the poll thread. */
  public void flushExpired(long nowNanos) {
    aggregator.flushExpired(nowNanos);
  }

  /** Emits every record held for aggregation (shutdown). */
  public void flushAll() {
    aggregator.flushAll();
  }

  /** Repeats merged into other records by the rate limits. */
  public long merged() {
    return aggregator.merged();
  }

  private void send(Aggregator.Pending r) {
    submit(r.eventName(), r.epochNanos(), Severity.INFO, r.body(), r.attributes());
  }

  /** Every record leaves through here, its size in the context for the batch queues' byte budget. */
  private void submit(String eventName, long epochNanos, Severity severity, String body, Attributes attributes) {
    var b = logger.logRecordBuilder()
        .setContext(RecordSize.context(RecordSize.of(attributes, body)))
        .setEventName(eventName)
        .setSeverity(severity)
        .setBody(body)
        .setAllAttributes(attributes);
    if (epochNanos > 0) {
      b.setTimestamp(epochNanos, TimeUnit.NANOSECONDS);
    }
    b.emit();
  }

  /** One kernel event through the stages: mapping, redaction, merging, then the logger. */
  public void emit(KernelEvent event, ProcessContext ctx) {
    EventMapper.Mapped m = mapper.map(event, ctx);
    Redactor.Redacted r = redactor.apply(m.attributes(), m.body());
    long window = m.type() == null ? 0L : windows.getOrDefault(m.type(), 0L);
    aggregator.offer(new Aggregator.Pending(m.eventName(), m.epochNanos(), r.body(), r.attributes()), window,
        System.nanoTime());
  }

  /**
   * The agent's counters since it started (agent.health).
   *
   * @param failedByStage stage=count of records a stage failed on (their sum is malformed)
   * @param hasher outcome=count of the executable hasher
   * @param stalledSeconds how long the event loop has made no progress; 0 when it is running
   * @param previousUnclean the previous run, when it ended without a clean stop (first record only)
   * @param policyRestored policy map entries another process changed and the agent wrote back
   */
  public record AgentHealth(long received, long exported, long lostKernel, long lostQueue, long lostMemory,
      long lostExport, long malformed, long merged, long sendingQueue, long uptimeSeconds, List<String> failedByStage,
      List<String> hasher, long stalledSeconds, Optional<PreviousRun> previousUnclean, long policyRestored,
      long intervalSeconds) {
    public long lost() {
      return lostKernel + lostQueue + lostMemory + lostExport + malformed;
    }
  }

  /** What the previous run last noted, when it ended without a clean stop. */
  public record PreviousRun(java.time.Instant lastSeen, long received) {}

  /** An agent.health record: the sensor's own state travels with its events, to the same place. */
  public void emitHealth(AgentHealth h) {
    AttributesBuilder extra = Attributes.builder().put(KsecAttributes.AGENT_EVENTS_FAILED, h.failedByStage())
        .put(KsecAttributes.AGENT_HASHER, h.hasher());
    String prefix = ""; // what is wrong, first
    if (h.stalledSeconds() > 0) {
      extra.put(KsecAttributes.AGENT_STALLED_SECONDS, h.stalledSeconds());
      prefix = "STALLED: the event loop has made no progress for " + h.stalledSeconds() + " s; ";
    }
    if (h.policyRestored() > 0) {
      extra.put(KsecAttributes.AGENT_POLICY_RESTORED, h.policyRestored());
      prefix += "TAMPERING: " + h.policyRestored() + " policy map entries were changed by another process and"
          + " restored; ";
    }
    if (h.previousUnclean().isPresent()) {
      PreviousRun p = h.previousUnclean().get();
      extra.put(KsecAttributes.AGENT_PREVIOUS_RUN_UNCLEAN, true)
          .put(KsecAttributes.AGENT_PREVIOUS_RUN_LAST_SEEN, p.lastSeen().toString())
          .put(KsecAttributes.AGENT_PREVIOUS_RUN_RECEIVED, p.received());
      prefix += "the previous run did not stop cleanly (last seen " + p.lastSeen() + "); ";
    }
    Attributes attributes = extra
        .put(KsecAttributes.EVENT_CATEGORY, "agent")
        .put(KsecAttributes.AGENT_EVENTS_RECEIVED, h.received())
        .put(KsecAttributes.AGENT_EVENTS_EXPORTED, h.exported())
        .put(KsecAttributes.AGENT_EVENTS_LOST_KERNEL, h.lostKernel())
        .put(KsecAttributes.AGENT_EVENTS_LOST_QUEUE, h.lostQueue())
        .put(KsecAttributes.AGENT_EVENTS_LOST_MEMORY, h.lostMemory())
        .put(KsecAttributes.AGENT_EVENTS_LOST_EXPORT, h.lostExport())
        .put(KsecAttributes.AGENT_EVENTS_MALFORMED, h.malformed())
        .put(KsecAttributes.AGENT_EVENTS_MERGED, h.merged())
        .put(KsecAttributes.AGENT_SENDING_QUEUE_SIZE, h.sendingQueue())
        .put(KsecAttributes.AGENT_UPTIME, h.uptimeSeconds())
        .put(KsecAttributes.AGENT_HEALTH_INTERVAL, h.intervalSeconds())
        .build();
    submit(KsecEvents.AGENT_HEALTH, clock.toEpochNanos(clock.bootNanosNow()),
        h.lost() > 0 || h.stalledSeconds() > 0 || h.previousUnclean().isPresent() || h.policyRestored() > 0
            ? Severity.WARN : Severity.INFO,
        prefix + "Agent health: received " + h.received() + ", exported " + h.exported() + ", lost " + h.lost()
            + " (kernel " + h.lostKernel() + ", queues " + h.lostQueue() + ", memory " + h.lostMemory()
            + ", export " + h.lostExport()
            + ", malformed " + h.malformed() + "), " + h.sendingQueue() + " waiting to be sent",
        attributes);
  }

  /** The late hash of an executable whose process.exec record left before the hash was known. */
  public void emitLateHash(Enricher.LateHash h) {
    Redactor.Redacted r = redactor.apply(Attributes.builder()
        .put(PROCESS_PID, (long) h.pid())
        .put(KsecAttributes.PROCESS_ENTITY_ID, h.entityId())
        .put(PROCESS_EXECUTABLE_PATH, h.executable())
        .put(KsecAttributes.PROCESS_EXECUTABLE_HASH_SHA256, h.sha256())
        .build(), "Executable " + h.executable() + " of process " + h.pid() + " has SHA-256 " + h.sha256());
    submit(KsecEvents.PROCESS_EXECUTABLE_HASH, 0, Severity.INFO, r.body(), r.attributes());
  }

  private static String iso(long epochNanos) {
    return Instant.ofEpochSecond(0, epochNanos).toString();
  }
}
