package io.github.otelkernel.receiver.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.config.HealthCheckConfig;
import io.github.otelkernel.receiver.decode.RecordDecoder;
import io.github.otelkernel.receiver.enrich.ExecutableHasher;
import io.github.otelkernel.receiver.export.AgentRecords.AgentHealth;
import io.github.otelkernel.receiver.health.HealthCheckServer;
import io.github.otelkernel.receiver.pipeline.LossReport.Counters;
import io.github.otelkernel.receiver.pipeline.LossReport.ExporterCounts;
import io.github.otelkernel.receiver.pipeline.LossReport.KernelCounts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** agent.health from one report, the stall watchdog, and what the metrics may read. */
class HealthReporterTest {
  private final PipelineStats stats = new PipelineStats();
  private final long[] ring = new long[RecordDecoder.EVENT_TYPES];
  private final AtomicLong kernelReads = new AtomicLong();
  private final AtomicLong sdkReads = new AtomicLong();
  private final List<AgentHealth> sent = new ArrayList<>();
  private final Counters counters =
      new Counters(
          stats,
          () -> {
            kernelReads.incrementAndGet();
            return new KernelCounts(ring, new long[0]);
          },
          () -> List.of(new ExporterCounts("otlp", true, 30, 2, 1, 4, 0, 0, 0, 0, 6)),
          () -> {
            sdkReads.incrementAndGet();
            return 3;
          },
          () -> new ExecutableHasher.Counts(1, 2, 3, 4, 5, 6, 7),
          () -> 8,
          () -> 0,
          () -> 0,
          () -> 5);

  private HealthReporter reporter(RunState runState, HealthCheckServer server) {
    return new HealthReporter(
        counters, sent::add, runState, server, () -> 11, Duration.ofSeconds(60), 16);
  }

  @Test
  void aHealthRecordCarriesOneReportsFigures() {
    stats.received.addAndGet(40, 50);
    stats.fail(PipelineStats.Stage.ENRICH, 40);
    stats.shed.addAndGet(2, 9);
    ring[40] = 5;
    HealthReporter r = reporter(null, null);
    r.emit();
    AgentHealth h = sent.get(0);
    LossReport report = r.report();
    assertEquals(50, h.received());
    assertEquals(30, h.exported());
    assertEquals(5, h.lostKernel());
    assertEquals(4 + 3, h.lostQueue(), "the exporter's gate and the SDK's own");
    assertEquals(9, h.lostMemory());
    assertEquals(2 + 1, h.lostExport(), "failed and evicted from the sending queue");
    assertEquals(1, h.malformed());
    assertEquals(8, h.merged());
    assertEquals(5, h.incomplete()); // records sent with some enrichment unknown
    assertEquals(6, h.sendingQueue());
    assertEquals(List.of("decode=0", "enrich=1", "map=0"), h.failedByStage());
    assertEquals(new ExecutableHasher.Counts(1, 2, 3, 4, 5, 6, 7).asList(), h.hasher());
    assertEquals(11, h.policyRestored());
    assertEquals(60, h.intervalSeconds());
    assertEquals(0, h.stalledSeconds());
    assertEquals(report.lost(), h.lost(), "the record's lost total is the report's");
  }

  @Test
  void aStallIsReportedOnceAndClearedWhenTheLoopMoves() throws Exception {
    try (HealthCheckServer server =
        HealthCheckServer.start(new HealthCheckConfig("127.0.0.1", 0, "/"))) {
      server.setReady(true);
      HealthReporter r = reporter(null, server);
      long stalled = HealthReporter.STALL_NANOS + TimeUnit.SECONDS.toNanos(3);
      r.watch(stalled);
      r.watch(stalled + TimeUnit.SECONDS.toNanos(1));
      assertEquals(1, sent.size(), "one record per stall");
      assertEquals(TimeUnit.NANOSECONDS.toSeconds(stalled), sent.get(0).stalledSeconds());
      assertEquals(503, status(server));
      r.watch(0);
      assertEquals(200, status(server));
      r.watch(stalled);
      assertEquals(2, sent.size(), "a new stall, a new record");
    }
  }

  private static int status(HealthCheckServer server) throws Exception {
    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/")).build();
    return HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void theMetricsReadNeitherTheKernelNorTheSdkThemselves() {
    ring[3] = 4;
    HealthReporter r = reporter(null, null);
    LossReport before = r.metricsReport();
    assertEquals(0, before.kernelLost(), "nothing read on the poll thread yet");
    assertEquals(4, before.queueDropped(), "the exporter's own count only");
    assertEquals(0, kernelReads.get());
    assertEquals(0, sdkReads.get(), "the SDK's count is a collection: never from inside one");
    r.checkLoss(); // the poll thread's read
    LossReport after = r.metricsReport();
    assertEquals(4, after.kernelLost());
    assertEquals(7, after.queueDropped());
    assertEquals(1, kernelReads.get());
    assertEquals(1, sdkReads.get());
    ring[3] = 10;
    r.kernelAtStop();
    assertEquals(10, r.finalReport().kernelLost(), "the counters noted at stop");
    assertEquals(10, r.metricsReport().kernelLost());
  }

  @Test
  void thePreviousUncleanStopGoesInTheFirstRecordOnly(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    RunState crashed = RunState.open(state);
    crashed.alive(5);
    crashed.close(); // killed: no "stopped"
    RunState runState = RunState.open(state);
    try {
      HealthReporter r = reporter(runState, null);
      stats.received.addAndGet(1, 2);
      r.emit();
      r.emit();
      assertEquals(5, sent.get(0).previousUnclean().orElseThrow().received());
      assertTrue(sent.get(1).previousUnclean().isEmpty());
    } finally {
      runState.stopped(0);
    }
    RunState next = RunState.open(state);
    try {
      assertTrue(next.previous().isEmpty(), "reported, and stopped cleanly: nothing left to say");
    } finally {
      next.stopped(0);
    }
  }
}
