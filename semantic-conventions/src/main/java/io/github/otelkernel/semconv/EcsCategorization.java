package io.github.otelkernel.semconv;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * How ECS files one kind of record: {@code event.kind}, {@code event.category}, {@code event.type}
 * and {@code event.action}, from each event's {@code annotations.ecs} in events.yaml ({@link
 * KsecEcs} holds them all). The rule languages of Elastic Security select on these four, so the
 * agent sends them with every record, once per batch on the record's instrumentation scope rather
 * than in each record; actions follow Elastic Defend's where Defend has the event ({@code exec},
 * {@code fork}, {@code end}, {@code uid_change}, {@code creation}, {@code deletion}, {@code
 * rename}, {@code connection_attempted}, {@code load_module}…).
 *
 * @param eventName the EventName it describes
 * @param variant empty for the event's own categorization, else the name of a variant the mapper
 *     picks per record ({@code file.open}: {@code create} when O_CREAT was asked, {@code write} for
 *     other write access)
 * @param index position in {@link KsecEcs#ALL}, for array lookups on the hot path
 */
public record EcsCategorization(
    String eventName,
    String variant,
    String kind,
    List<String> category,
    List<String> type,
    String action,
    int index) {

  /** ECS 8.x allowed values of event.kind. */
  public static final Set<String> KINDS =
      Set.of(
          "alert", "asset", "enrichment", "event", "metric", "state", "pipeline_error", "signal");

  /** ECS 8.x allowed values of event.category. */
  public static final Set<String> CATEGORIES =
      Set.of(
          "api",
          "authentication",
          "configuration",
          "database",
          "driver",
          "email",
          "file",
          "host",
          "iam",
          "intrusion_detection",
          "library",
          "malware",
          "network",
          "package",
          "process",
          "registry",
          "session",
          "threat",
          "vulnerability");

  /** ECS 8.x allowed values of event.type. */
  public static final Set<String> TYPES =
      Set.of(
          "access",
          "admin",
          "allowed",
          "change",
          "connection",
          "creation",
          "deletion",
          "denied",
          "end",
          "error",
          "group",
          "indicator",
          "info",
          "installation",
          "protocol",
          "start",
          "user");

  public EcsCategorization {
    Objects.requireNonNull(eventName, "eventName");
    Objects.requireNonNull(variant, "variant");
    category = List.copyOf(category);
    type = List.copyOf(type);
    problem(kind, category, type, action)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(eventName + ": " + p);
            });
  }

  /** What makes these values no ECS categorization, or empty when they are one. */
  public static java.util.Optional<String> problem(
      String kind, List<String> category, List<String> type, String action) {
    if (!KINDS.contains(kind)) {
      return java.util.Optional.of("event.kind '" + kind + "' is not an ECS value " + KINDS);
    }
    for (String c : category) {
      if (!CATEGORIES.contains(c)) {
        return java.util.Optional.of("event.category '" + c + "' is not an ECS value");
      }
    }
    for (String t : type) {
      if (!TYPES.contains(t)) {
        return java.util.Optional.of("event.type '" + t + "' is not an ECS value");
      }
    }
    if (type.isEmpty()) {
      return java.util.Optional.of("event.type is empty");
    }
    if (action == null || !action.matches("[a-z][a-z0-9_]*")) {
      return java.util.Optional.of("event.action '" + action + "' is not a lower_snake_case word");
    }
    return java.util.Optional.empty();
  }
}
