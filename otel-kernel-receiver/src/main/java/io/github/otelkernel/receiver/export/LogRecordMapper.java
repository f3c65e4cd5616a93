package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.policy.Aggregator;
import io.github.otelkernel.receiver.policy.Policy;
import io.github.otelkernel.receiver.policy.Redactor;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.logs.Logger;
import io.opentelemetry.api.logs.Severity;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;

/**
 * One kernel event → one OTel log record, through the stages in order: {@link EventMapper}
 * (EventName, attributes, body template), {@link Redactor} on the attributes, the body rendered
 * from the redacted attributes ({@link #redactAndRender}), {@link Aggregator} (merging repeats),
 * then the SDK logger through {@link RecordSink}. The agent's own records (agent.health, the late
 * executable hash) have their own producer, {@link #agentRecords()}, on the same sink and the same
 * policy's redaction.
 */
public final class LogRecordMapper {
  /** Instrumentation scope of every record the agent emits. */
  public static final String SCOPE_NAME = "io.github.otelkernel.receiver.ebpf";

  private final RecordSink sink;
  private final AgentRecords agentRecords;
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
  public LogRecordMapper(
      Logger logger,
      BootClock clock,
      IntFunction<Optional<ProcessTable.Entry>> processes,
      int agentPid) {
    this.sink = new RecordSink(logger);
    this.aggregator = new Aggregator(MAX_OPEN_WINDOWS, this::send);
    this.mapper = new EventMapper(clock, processes, agentPid);
    this.agentRecords = new AgentRecords(sink, clock, () -> redactor);
  }

  /** The producer of the agent's own records, on this mapper's sink and current redaction. */
  public AgentRecords agentRecords() {
    return agentRecords;
  }

  /** Open aggregation windows at most; past it the oldest closes early. */
  static final int MAX_OPEN_WINDOWS = 65_536;

  /** Takes the redaction rules and merge windows of a (re)loaded policy. */
  public void applyPolicy(Policy policy) {
    Map<EventType, Long> w = new EnumMap<>(EventType.class);
    policy
        .types()
        .forEach(
            (t, tp) -> {
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

  /** Records sent with some of their enrichment unknown (ksec.enrichment.missing). */
  public long incomplete() {
    return mapper.incomplete();
  }

  /** Repeats merged into other records by the rate limits. */
  public long merged() {
    return aggregator.merged();
  }

  private void send(Aggregator.Pending r) {
    sink.submit(r.eventName(), r.epochNanos(), Severity.INFO, r.body(), r.attributes(), r.ecs());
  }

  /** One kernel event through the stages: mapping, redaction, merging, then the logger. */
  public void emit(KernelEvent event, ProcessContext ctx) {
    EventMapper.Mapped m = mapper.map(event, ctx);
    Redactor.Redacted r = redactAndRender(redactor, m);
    long window = m.type() == null ? 0L : windows.getOrDefault(m.type(), 0L);
    aggregator.offer(
        new Aggregator.Pending(m.eventName(), m.epochNanos(), r.body(), r.attributes(), m.ecs()),
        window,
        System.nanoTime());
  }

  /**
   * The redaction stage and the body: the attributes masked, then the body rendered from the masked
   * values, so the body shows what the attributes show (a body without references holds no event
   * bytes and renders as it is).
   */
  static Redactor.Redacted redactAndRender(Redactor redactor, EventMapper.Mapped m) {
    Attributes attributes = redactor.apply(m.attributes());
    return new Redactor.Redacted(attributes, m.body().render(attributes));
  }
}
