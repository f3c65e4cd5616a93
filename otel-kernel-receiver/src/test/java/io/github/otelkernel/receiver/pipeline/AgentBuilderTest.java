package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.BatchConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ConfigLoader;
import io.github.otelkernel.receiver.config.EbpfReceiverConfig;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.config.OtlpExporterConfig;
import io.github.otelkernel.receiver.config.QueueConfig;
import io.github.otelkernel.receiver.config.TelemetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What the builder refuses before it touches the kernel: runnable without root. */
class AgentBuilderTest {
  private static final ConfigLoader LOADER = new ConfigLoader(Map.of());

  private static AgentConfig parse(String yaml) {
    return LOADER.parse("c.yaml", yaml);
  }

  private static final AgentConfig OTLP =
      parse(
          """
      receivers: {ebpf: {}}
      exporters:
        file: {path: out.jsonl}
        otlp: {endpoint: 'collector:4317', tls: {insecure: true}}
      service: {pipelines: {logs: {receivers: [ebpf], exporters: [file, otlp]}}}
      """);

  private static AgentConfig with(
      AgentConfig c,
      EbpfReceiverConfig receiver,
      BatchConfig batch,
      List<ExporterConfig> exporters,
      TelemetryConfig telemetry) {
    return new AgentConfig(
        c.source(), receiver, batch, exporters, Optional.empty(), c.storages(), telemetry);
  }

  @Test
  void theConfigsTheLoaderMakesPass() {
    assertEquals(List.of(), AgentBuilder.problems(OTLP));
    assertEquals(List.of(), AgentBuilder.problems(LOADER.loadDefault()));
    AgentBuilder b = Agent.builder(OTLP);
    assertSame(b, b.validate());
  }

  @Test
  void aMetricsIntervalOfZeroIsRefusedByItsKeyNotByTheSdk() {
    // the SDK's periodic reader would throw at start with no key to name
    var e =
        assertThrows(
            ConfigException.class,
            () ->
                parse(
                    """
        receivers: {ebpf: {}}
        exporters: {otlp: {endpoint: 'collector:4317', tls: {insecure: true}}}
        service:
          pipelines: {logs: {receivers: [ebpf], exporters: [otlp]}}
          telemetry: {metrics: {interval: 0s}}
        """));
    assertEquals(
        "c.yaml:5: service.telemetry.metrics.interval: PT0S must be positive", e.getMessage());
    AgentConfig c =
        with(
            OTLP,
            OTLP.receiver(),
            OTLP.batch(),
            OTLP.exporters(),
            new TelemetryConfig(true, Duration.ZERO, List.of("otlp")));
    e = assertThrows(ConfigException.class, () -> Agent.builder(c).validate());
    assertEquals("service.telemetry.metrics.interval: PT0S must be positive", e.getMessage());
    assertThrows(
        ConfigException.class,
        () -> Agent.builder(c).build(),
        "refused before the kernel is asked");
    assertThrows(ConfigException.class, () -> Agent.builder(c).start());
  }

  @Test
  void everyProblemOfAConfigMadeInCodeIsNamedOnALineOfItsOwn() {
    var r = OTLP.receiver();
    List<ExporterConfig> twice = new ArrayList<>(OTLP.exporters());
    twice.add(OTLP.exporters().get(0));
    AgentConfig bad =
        with(
            OTLP,
            new EbpfReceiverConfig(
                12,
                r.policy(),
                Duration.ofSeconds(-1),
                r.stateDirectory(),
                r.dataStreamNamespace()),
            new BatchConfig(Duration.ofMillis(-5), 0, 10, 1),
            twice,
            new TelemetryConfig(true, Duration.ofSeconds(60), List.of("file")));
    List<String> problems = AgentBuilder.problems(bad);
    assertEquals(
        List.of(
            "receivers.ebpf.ring_buffer_size_mib: 12 is not a power of two (the kernel requires one): use 8, 16, 32, 64…",
            "receivers.ebpf.health_interval: PT-1S is negative (0s: only at stop)",
            "processors.batch.timeout: PT-0.005S is negative",
            "processors.batch: send_batch_size, queue_size and queue_size_mib must be at least 1",
            "service.pipelines.logs.exporters: exporter 'file' is listed twice",
            "service.telemetry.metrics.exporters: 'file' is not an otlp/otlphttp exporter of the logs pipeline"),
        problems);
    var e = assertThrows(ConfigException.class, () -> Agent.builder(bad).validate());
    assertEquals(String.join("\n", problems), e.getMessage());
    assertEquals(problems.size(), e.getMessage().lines().count(), "one line per problem");
  }

  @Test
  void noExporterAndAMissingStorageAreRefused() {
    var o = (OtlpExporterConfig) OTLP.exporters().get(1);
    var spooled =
        new OtlpExporterConfig(
            o.id(),
            o.http(),
            o.endpoint(),
            o.tls(),
            o.headers(),
            o.compression(),
            o.timeout(),
            o.retry(),
            new QueueConfig(
                true, 10, 1, Optional.of("file_storage/gone"), QueueConfig.DEFAULT_LOW_PRIORITY));
    assertEquals(
        List.of(
            "exporters.otlp.sending_queue.storage: 'file_storage/gone' is not a file_storage extension"
                + " listed in service.extensions"),
        AgentBuilder.problems(
            with(OTLP, OTLP.receiver(), OTLP.batch(), List.of(spooled), OTLP.telemetry())));
    assertEquals(
        List.of(
            "service.pipelines.logs.exporters: list at least one exporter, e.g. [console]",
            "service.telemetry.metrics.exporters: 'otlp' is not an otlp/otlphttp exporter of the logs pipeline"),
        AgentBuilder.problems(
            with(OTLP, OTLP.receiver(), OTLP.batch(), List.of(), OTLP.telemetry())));
  }

  @Test
  void aConfigAndAConsoleAreRequired() {
    assertThrows(NullPointerException.class, () -> Agent.builder(null));
    assertThrows(NullPointerException.class, () -> Agent.builder(OTLP).console(null));
  }

  @Test
  void undoReleasesLastMadeFirstOnceAndDespiteAFailingStep() {
    List<String> order = new ArrayList<>();
    AgentBuilder.Undo undo = new AgentBuilder.Undo();
    undo.add(() -> order.add("run state"));
    undo.add(
        () -> {
          throw new IllegalStateException("already closed");
        });
    undo.add(() -> order.add("probes"));
    undo.run();
    undo.run();
    assertEquals(List.of("probes", "run state"), order);
  }
}
