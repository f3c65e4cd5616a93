package io.github.otelkernel.receiver.export.events;

import static io.opentelemetry.semconv.incubating.ProcessIncubatingAttributes.PROCESS_PID;

import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.SysPayload;
import io.github.otelkernel.receiver.decode.SysString;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.semconv.KsecAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.semconv.ErrorAttributes;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.function.IntFunction;

/** What a {@link SysEventMapper} works with: the event, the attributes being built, lookups. */
public final class SysEventContext {
  private final SysCall event;
  private final SysPayload payload;
  private final AttributesBuilder attributes;
  private final IntFunction<Optional<ProcessTable.Entry>> processes;
  private final int agentPid;
  private String eventName;
  private String ecsVariant = "";

  public SysEventContext(
      SysCall event,
      AttributesBuilder attributes,
      IntFunction<Optional<ProcessTable.Entry>> processes,
      int agentPid) {
    this.event = event;
    this.payload = event.payload();
    this.attributes = attributes;
    this.processes = processes;
    this.agentPid = agentPid;
    this.eventName = event.type().eventName();
  }

  public SysCall event() {
    return event;
  }

  /** The record's payload, typed by its kind (what mappers read instead of args by index). */
  public SysPayload payload() {
    return payload;
  }

  public AttributesBuilder attributes() {
    return attributes;
  }

  public String eventName() {
    return eventName;
  }

  /** A mapper may name the record more precisely than its kernel type (a write to /proc/sys). */
  public void eventName(String name) {
    this.eventName = name;
  }

  /** The variant of the event's ECS categorization this record is (KsecEcs); "" for its own. */
  public String ecsVariant() {
    return ecsVariant;
  }

  /**
   * A mapper may file the record under a variant of its ECS categorization (an open that wrote).
   */
  public void ecsVariant(String variant) {
    this.ecsVariant = variant;
  }

  /** "pid 42 (bash)": how bodies name the acting process. */
  public String actor() {
    return "Process " + event.process().pid() + " (" + event.process().comm().text() + ")";
  }

  /**
   * A body starting with the acting process as {@link #actor()} names it, its pid and name referred
   * to by attribute (the name is the process's to choose).
   */
  public BodyTemplate.Builder actorBody() {
    return actorTemplate();
  }

  /** {@link #actorBody()} for templates built once, outside any event. */
  public static BodyTemplate.Builder actorTemplate() {
    return BodyTemplate.builder()
        .text("Process ")
        .ref(PROCESS_PID)
        .text(" (")
        .ref(KsecAttributes.PROCESS_COMM)
        .text(")");
  }

  /**
   * {@link #outcomeSuffix()} as template parts, for templates built once: the errno name by
   * reference to error.type, which the mapping stage sets on every failed record.
   */
  static BodyTemplate.Builder outcome(BodyTemplate.Builder b, boolean failed) {
    return failed ? b.text(" failed with ").ref(ErrorAttributes.ERROR_TYPE) : b;
  }

  /** Whether the call failed (the outcome known and an error returned). */
  public boolean failed() {
    return event.failed();
  }

  /** " failed with EPERM" or "" (also when the outcome is not known): appended to bodies. */
  public String outcomeSuffix() {
    return event.failed()
        ? " failed with " + io.github.otelkernel.receiver.decode.KernelNames.errno(event.errno())
        : "";
  }

  /** The process an action aimed at: pid, and entity id and executable when the table knows it. */
  public void target(long pid) {
    attributes.put(KsecAttributes.TARGET_PROCESS_PID, pid);
    if (pid > 0 && pid <= Integer.MAX_VALUE) {
      processes
          .apply((int) pid)
          .ifPresent(
              t -> {
                attributes.put(KsecAttributes.TARGET_PROCESS_ENTITY_ID, t.entityId());
                if (!t.executable().isEmpty()) {
                  attributes.put(KsecAttributes.TARGET_PROCESS_EXECUTABLE_PATH, t.executable());
                }
              });
    }
    boolean agent = pid == agentPid || event.flag(SysCall.FLAG_TARGET_IS_AGENT);
    if (agent) {
      attributes.put(KsecAttributes.TARGET_PROCESS_IS_AGENT, true);
    }
  }

  /** A string of the record as text, with its raw bytes in base64 under rawKey when not UTF-8. */
  public String text(SysString v, AttributeKey<String> key, AttributeKey<String> rawKey) {
    String s = v.text();
    attributes.put(key, s);
    if (rawKey != null && v.lossy()) {
      attributes.put(rawKey, Base64.getEncoder().encodeToString(v.bytes().bytes()));
    }
    return s;
  }

  public static String iso(long seconds, long nanos) {
    try {
      return Instant.ofEpochSecond(seconds, nanos).toString();
    } catch (java.time.DateTimeException | ArithmeticException e) {
      return seconds + "."
          + nanos; // out of Instant's range: a forged time may be absurd on purpose
    }
  }
}
