package io.github.otelkernel.receiver.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.Enricher;
import io.github.otelkernel.receiver.export.AgentRecords.AgentHealth;
import io.github.otelkernel.receiver.export.AgentRecords.PreviousRun;
import io.github.otelkernel.receiver.policy.Redactor;
import io.github.otelkernel.semconv.KsecAttributes;
import io.github.otelkernel.semconv.KsecEvents;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.sdk.logs.SdkLoggerProvider;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.SimpleLogRecordProcessor;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AgentRecordsTest {
  private final CollectingExporter out = new CollectingExporter();
  private final AgentRecords records =
      new AgentRecords(
          new RecordSink(
              SdkLoggerProvider.builder()
                  .addLogRecordProcessor(SimpleLogRecordProcessor.create(out))
                  .build()
                  .get("test")),
          BootClock.withOffset(1_764_000_000_000_000_000L),
          () -> new Redactor(true, List.of()));

  private static AgentHealth health(long lostKernel, Optional<PreviousRun> previous) {
    return new AgentHealth(
        10,
        9,
        lostKernel,
        0,
        0,
        0,
        0,
        0,
        2,
        1,
        60,
        List.of(),
        List.of("hashed=3"),
        0,
        previous,
        0,
        30);
  }

  @Test
  void healthIsInfoWhenNothingIsWrongAndWarnsFirstOfWhatIs() {
    records.emitHealth(health(0, Optional.empty()));
    records.emitHealth(
        health(2, Optional.of(new PreviousRun(Instant.parse("2025-11-24T15:00:00Z"), 5))));
    assertEquals(2, out.records.size());
    LogRecordData ok = out.records.get(0);
    assertEquals(KsecEvents.AGENT_HEALTH, ok.getEventName());
    assertEquals(Severity.INFO, ok.getSeverity());
    assertTrue(ok.getTimestampEpochNanos() > 0, "stamped with the agent's clock");
    assertEquals(
        "Agent health: received 10, exported 9, lost 0 (kernel 0, queues 0, memory 0, export 0,"
            + " malformed 0), 1 waiting to be sent",
        ok.getBodyValue().asString());
    assertEquals(10L, ok.getAttributes().get(KsecAttributes.AGENT_EVENTS_RECEIVED));
    // 2 of the 10 records went out with some enrichment unknown
    assertEquals(2L, ok.getAttributes().get(KsecAttributes.AGENT_RECORDS_INCOMPLETE));
    assertEquals(0.2, ok.getAttributes().get(KsecAttributes.AGENT_RECORDS_INCOMPLETE_RATIO));
    LogRecordData bad = out.records.get(1);
    assertEquals(Severity.WARN, bad.getSeverity());
    assertTrue(
        bad.getBodyValue()
            .asString()
            .startsWith(
                "the previous run did not stop cleanly (last seen 2025-11-24T15:00:00Z); Agent health:"),
        bad.getBodyValue().asString());
    assertEquals(true, bad.getAttributes().get(KsecAttributes.AGENT_PREVIOUS_RUN_UNCLEAN));
  }

  @Test
  void aLateHashIsRedactedLikeTheExecRecordItCompletes() {
    String token = "ghp_" + "Ab1".repeat(12);
    records.emitLateHash(
        new Enricher.LateHash(42, "e-42", "/tmp/" + token + "/run", "ab".repeat(32)));
    LogRecordData r = out.records.get(0);
    assertEquals(KsecEvents.PROCESS_EXECUTABLE_HASH, r.getEventName());
    assertEquals(
        "/tmp/[REDACTED]/run",
        r.getAttributes().get(AttributeKey.stringKey("process.executable.path")));
    String body = r.getBodyValue().asString();
    assertFalse(body.contains(token.substring(4)), body);
    assertEquals(
        "Executable /tmp/[REDACTED]/run of process 42 has SHA-256 " + "ab".repeat(32), body);
  }
}
