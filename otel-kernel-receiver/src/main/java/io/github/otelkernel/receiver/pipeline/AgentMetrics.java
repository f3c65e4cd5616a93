package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.pipeline.LossReport.ExporterCounts;
import io.github.otelkernel.receiver.pipeline.LossReport.Stage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import java.util.function.Supplier;

/**
 * The agent's own telemetry: what came from the kernel, what each exporter delivered, and every
 * loss by stage and reason. Asynchronous instruments over a {@link LossReport} of the counters the
 * pipeline keeps anyway, so the hot path pays nothing for them and each instrument's figures are of
 * one moment. The SDK's own batch-processor and exporter instruments are reported beside these.
 */
final class AgentMetrics {
  static final AttributeKey<String> EVENT = AttributeKey.stringKey("event.name");
  static final AttributeKey<String> STAGE = AttributeKey.stringKey("stage");
  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");
  static final AttributeKey<String> EXPORTER = AttributeKey.stringKey("exporter");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

  private AgentMetrics() {}

  /**
   * Records dropped by the SDK's batch processors are not repeated here: the SDK reports them
   * itself ({@code processedLogs} with {@code dropped=true}) through the same meter provider.
   */
  static void register(MeterProvider provider, Supplier<LossReport> reports) {
    Meter meter = provider.meterBuilder("io.github.otelkernel.receiver").build();
    meter
        .counterBuilder("ksec.agent.events.received")
        .setDescription("Records read from the kernel ring buffer")
        .setUnit("{event}")
        .buildWithCallback(
            m -> {
              LossReport r = reports.get();
              for (EventType t : EventType.values()) {
                m.record(r.received(t.id()), Attributes.of(EVENT, t.policyName()));
              }
            });
    meter
        .counterBuilder("ksec.agent.events.lost")
        .setDescription("Events that will never reach a destination, by stage and reason")
        .setUnit("{event}")
        .buildWithCallback(m -> lost(m, reports.get()));
    meter
        .counterBuilder("ksec.agent.hasher.files")
        .setDescription("Executables the hasher was asked for, by outcome")
        .setUnit("{file}")
        .buildWithCallback(
            m -> {
              ExecutableHasher.Counts h = reports.get().hasher();
              m.record(h.hashed(), Attributes.of(OUTCOME, "hashed"));
              m.record(h.cacheHits(), Attributes.of(OUTCOME, "cache_hit"));
              m.record(h.failed(), Attributes.of(OUTCOME, "failed"));
              m.record(h.dropped(), Attributes.of(OUTCOME, "dropped"));
              m.record(h.tooLarge(), Attributes.of(OUTCOME, "too_large"));
              m.record(h.refused(), Attributes.of(OUTCOME, "refused"));
              m.record(h.timedOut(), Attributes.of(OUTCOME, "timed_out"));
            });
    meter
        .counterBuilder("ksec.agent.events.exported")
        .setDescription("Records each exporter's destination accepted")
        .setUnit("{event}")
        .buildWithCallback(
            m -> {
              for (ExporterCounts e : reports.get().exporters()) {
                m.record(e.exported(), Attributes.of(EXPORTER, e.id()));
              }
            });
    meter
        .gaugeBuilder("ksec.agent.sending_queue.size")
        .ofLongs()
        .setDescription("Records waiting in an exporter's sending queue (memory or spool)")
        .setUnit("{event}")
        .buildWithCallback(
            m -> {
              for (ExporterCounts e : reports.get().exporters()) {
                if (e.sendingQueue()) {
                  m.record(e.waiting(), Attributes.of(EXPORTER, e.id()));
                }
              }
            });
  }

  /** Every lost stage: the per-type ones by event type, the exporters' by exporter. */
  private static void lost(ObservableLongMeasurement m, LossReport r) {
    for (Stage st : Stage.values()) {
      if (st.kind() != LossReport.Kind.LOST) {
        continue;
      }
      if (st.byType()) {
        for (int t = 0; t < RecordDecoder.EVENT_TYPES; t++) {
          // a catalog type always, so each series exists from the start; an id outside the catalog
          // (a record too short to say, probes newer than the agent) once it counts
          if (EventType.byId(t).isPresent() || r.count(st, t) > 0) {
            m.record(
                r.count(st, t),
                Attributes.of(STAGE, st.key(), REASON, st.reason(), EVENT, LossReport.typeName(t)));
          }
        }
      }
    }
    for (ExporterCounts e : r.exporters()) {
      m.record(
          e.failed(),
          Attributes.of(
              STAGE, Stage.EXPORT.key(), REASON, Stage.EXPORT.reason(), EXPORTER, e.id()));
      m.record(
          e.dropped(),
          Attributes.of(
              STAGE,
              Stage.SENDING_QUEUE.key(),
              REASON,
              Stage.SENDING_QUEUE.reason(),
              EXPORTER,
              e.id()));
      m.record(
          e.batchDropped(),
          Attributes.of(
              STAGE,
              Stage.BATCH_QUEUE.key(),
              REASON,
              Stage.BATCH_QUEUE.reason(),
              EXPORTER,
              e.id()));
    }
  }
}
