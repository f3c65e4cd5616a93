package io.github.otelkernel.receiver.export;

import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_EXECUTABLE_PATH;
import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_PID;

import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.export.events.BodyTemplate;
import io.github.otelkernel.receiver.policy.Redactor;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.logs.Severity;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The producer of the agent's own records: agent.health, and the late executable hash. They leave
 * through the same submit path as the kernel events' records ({@link RecordSink}), and are not
 * merged. The late hash goes through the current policy's redaction, its body rendered from the
 * redacted attributes: its executable path is a name a process chose and can hold a secret.
 */
public final class AgentRecords {
  /** Rendered from the redacted attributes, like a kernel event's body. */
  private static final BodyTemplate LATE_HASH =
      BodyTemplate.builder()
          .text("Executable ")
          .ref(PROCESS_EXECUTABLE_PATH)
          .text(" of process ")
          .ref(PROCESS_PID)
          .text(" has SHA-256 ")
          .ref(KsecAttributes.PROCESS_EXECUTABLE_HASH_SHA256)
          .build();

  private final RecordSink sink;
  private final BootClock clock;
  private final Supplier<Redactor> redactor;

  /**
   * @param redactor the current policy's redaction stage (replaced on a reload)
   */
  AgentRecords(RecordSink sink, BootClock clock, Supplier<Redactor> redactor) {
    this.sink = sink;
    this.clock = clock;
    this.redactor = redactor;
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
  public record AgentHealth(
      long received,
      long exported,
      long lostKernel,
      long lostQueue,
      long lostMemory,
      long lostExport,
      long malformed,
      long merged,
      long incomplete,
      long sendingQueue,
      long uptimeSeconds,
      List<String> failedByStage,
      List<String> hasher,
      long stalledSeconds,
      Optional<PreviousRun> previousUnclean,
      long policyRestored,
      long intervalSeconds) {
    public long lost() {
      return lostKernel + lostQueue + lostMemory + lostExport + malformed;
    }
  }

  /** What the previous run last noted, when it ended without a clean stop. */
  public record PreviousRun(Instant lastSeen, long received) {}

  /** An agent.health record: the sensor's own state travels with its events, to the same place. */
  public void emitHealth(AgentHealth h) {
    AttributesBuilder extra =
        Attributes.builder()
            .put(KsecAttributes.AGENT_EVENTS_FAILED, h.failedByStage())
            .put(KsecAttributes.AGENT_HASHER, h.hasher());
    String prefix = ""; // what is wrong, first
    if (h.stalledSeconds() > 0) {
      extra.put(KsecAttributes.AGENT_STALLED_SECONDS, h.stalledSeconds());
      prefix = "STALLED: the event loop has made no progress for " + h.stalledSeconds() + " s; ";
    }
    if (h.policyRestored() > 0) {
      extra.put(KsecAttributes.AGENT_POLICY_RESTORED, h.policyRestored());
      prefix +=
          "TAMPERING: "
              + h.policyRestored()
              + " policy map entries were changed by another process and"
              + " restored; ";
    }
    if (h.previousUnclean().isPresent()) {
      PreviousRun p = h.previousUnclean().get();
      extra
          .put(KsecAttributes.AGENT_PREVIOUS_RUN_UNCLEAN, true)
          .put(KsecAttributes.AGENT_PREVIOUS_RUN_LAST_SEEN, p.lastSeen().toString())
          .put(KsecAttributes.AGENT_PREVIOUS_RUN_RECEIVED, p.received());
      prefix += "the previous run did not stop cleanly (last seen " + p.lastSeen() + "); ";
    }
    Attributes attributes =
        extra
            .put(KsecAttributes.EVENT_CATEGORY, "agent")
            .put(KsecAttributes.AGENT_EVENTS_RECEIVED, h.received())
            .put(KsecAttributes.AGENT_EVENTS_EXPORTED, h.exported())
            .put(KsecAttributes.AGENT_EVENTS_LOST_KERNEL, h.lostKernel())
            .put(KsecAttributes.AGENT_EVENTS_LOST_QUEUE, h.lostQueue())
            .put(KsecAttributes.AGENT_EVENTS_LOST_MEMORY, h.lostMemory())
            .put(KsecAttributes.AGENT_EVENTS_LOST_EXPORT, h.lostExport())
            .put(KsecAttributes.AGENT_EVENTS_MALFORMED, h.malformed())
            .put(KsecAttributes.AGENT_EVENTS_MERGED, h.merged())
            .put(KsecAttributes.AGENT_RECORDS_INCOMPLETE, h.incomplete())
            .put(
                KsecAttributes.AGENT_RECORDS_INCOMPLETE_RATIO,
                h.received() == 0 ? 0.0 : Math.min(1.0, (double) h.incomplete() / h.received()))
            .put(KsecAttributes.AGENT_SENDING_QUEUE_SIZE, h.sendingQueue())
            .put(KsecAttributes.AGENT_UPTIME, h.uptimeSeconds())
            .put(KsecAttributes.AGENT_HEALTH_INTERVAL, h.intervalSeconds())
            .build();
    sink.submit(
        KsecEvents.AGENT_HEALTH,
        clock.toEpochNanos(clock.bootNanosNow()),
        h.lost() > 0
                || h.stalledSeconds() > 0
                || h.previousUnclean().isPresent()
                || h.policyRestored() > 0
            ? Severity.WARN
            : Severity.INFO,
        prefix
            + "Agent health: received "
            + h.received()
            + ", exported "
            + h.exported()
            + ", lost "
            + h.lost()
            + " (kernel "
            + h.lostKernel()
            + ", queues "
            + h.lostQueue()
            + ", memory "
            + h.lostMemory()
            + ", export "
            + h.lostExport()
            + ", malformed "
            + h.malformed()
            + "), "
            + h.sendingQueue()
            + " waiting to be sent",
        attributes);
  }

  /** The late hash of an executable whose process.exec record left before the hash was known. */
  public void emitLateHash(Enricher.LateHash h) {
    Attributes attributes =
        redactor
            .get()
            .apply(
                Attributes.builder()
                    .put(PROCESS_PID, (long) h.pid())
                    .put(KsecAttributes.PROCESS_ENTITY_ID, h.entityId())
                    .put(PROCESS_EXECUTABLE_PATH, h.executable())
                    .put(KsecAttributes.PROCESS_EXECUTABLE_HASH_SHA256, h.sha256())
                    .build());
    sink.submit(
        KsecEvents.PROCESS_EXECUTABLE_HASH,
        0,
        Severity.INFO,
        LATE_HASH.render(attributes),
        attributes);
  }
}
