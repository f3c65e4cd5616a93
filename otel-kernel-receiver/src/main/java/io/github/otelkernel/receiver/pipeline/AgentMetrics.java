package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.export.ExporterFactory.BuiltExporter;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The agent's own telemetry: what came from the kernel, what each exporter delivered, and every
 * loss by stage and reason. Asynchronous instruments over the counters the pipeline keeps anyway,
 * so the hot path pays nothing for them. The SDK's own batch-processor and exporter instruments
 * are reported beside these.
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
  static void register(MeterProvider provider, PipelineStats stats, LongSupplier[] kernelLost,
      List<BuiltExporter> exporters, ExecutableHasher hasher) {
    Meter meter = provider.meterBuilder("io.github.otelkernel.receiver").build();
    meter.counterBuilder("ksec.agent.events.received")
        .setDescription("Records read from the kernel ring buffer")
        .setUnit("{event}")
        .buildWithCallback(m -> {
          for (EventType t : EventType.values()) {
            m.record(stats.received(t.id()), Attributes.of(EVENT, t.policyName()));
          }
        });
    meter.counterBuilder("ksec.agent.events.lost")
        .setDescription("Events that will never reach a destination, by stage and reason")
        .setUnit("{event}")
        .buildWithCallback(m -> {
          for (EventType t : EventType.values()) {
            m.record(kernelLost[t.id()].getAsLong(),
                Attributes.of(STAGE, "kernel", REASON, "ring_buffer_full", EVENT, t.policyName()));
          }
          for (EventType t : EventType.values()) {
            m.record(stats.shed(t.id()), Attributes.of(STAGE, "memory", REASON, "memory_limit", EVENT, t.policyName()));
          }
          for (PipelineStats.Stage st : PipelineStats.Stage.values()) {
            m.record(stats.failed(st), Attributes.of(STAGE, st.key(), REASON, st == PipelineStats.Stage.DECODE
                ? "malformed" : "failed"));
          }
          for (BuiltExporter e : exporters) {
            m.record(e.stats().failed(), Attributes.of(STAGE, "export", REASON, "export_failed", EXPORTER, e.id()));
            m.record(e.stats().dropped(), Attributes.of(STAGE, "export", REASON, "sending_queue_full", EXPORTER, e.id()));
            m.record(e.stats().batchDropped(), Attributes.of(STAGE, "batch", REASON, "batch_queue_full", EXPORTER, e.id()));
          }
        });
    meter.counterBuilder("ksec.agent.hasher.files")
        .setDescription("Executables the hasher was asked for, by outcome")
        .setUnit("{file}")
        .buildWithCallback(m -> {
          m.record(hasher.hashed(), Attributes.of(OUTCOME, "hashed"));
          m.record(hasher.cacheHits(), Attributes.of(OUTCOME, "cache_hit"));
          m.record(hasher.failed(), Attributes.of(OUTCOME, "failed"));
          m.record(hasher.dropped(), Attributes.of(OUTCOME, "dropped"));
          m.record(hasher.tooLarge(), Attributes.of(OUTCOME, "too_large"));
          m.record(hasher.refused(), Attributes.of(OUTCOME, "refused"));
          m.record(hasher.timedOut(), Attributes.of(OUTCOME, "timed_out"));
        });
    meter.counterBuilder("ksec.agent.events.exported")
        .setDescription("Records each exporter's destination accepted")
        .setUnit("{event}")
        .buildWithCallback(m -> {
          for (BuiltExporter e : exporters) {
            m.record(e.stats().exported(), Attributes.of(EXPORTER, e.id()));
          }
        });
    meter.gaugeBuilder("ksec.agent.sending_queue.size")
        .ofLongs()
        .setDescription("Records waiting in an exporter's sending queue (memory or spool)")
        .setUnit("{event}")
        .buildWithCallback(m -> {
          for (BuiltExporter e : exporters) {
            e.queue().ifPresent(q -> m.record(q.pending(), Attributes.of(EXPORTER, e.id())));
          }
        });
  }
}
