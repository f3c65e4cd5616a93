package io.github.otelkernel.receiver.config;

import io.github.otelkernel.receiver.decode.EventType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * sending_queue: records held in memory, bounded in records and in estimated bytes
 * (queue_size_mib), or spooled through a file_storage extension, whose size bounds it.
 */
public record QueueConfig(
    boolean enabled,
    int queueSize,
    int queueSizeMib,
    Optional<String> storage,
    Set<String> lowPriorityEvents) {
  /** EventNames of the types the catalog marks low_priority (process.fork, process.exit). */
  public static final Set<String> DEFAULT_LOW_PRIORITY =
      Arrays.stream(EventType.values())
          .filter(EventType::lowPriority)
          .map(EventType::eventName)
          .collect(Collectors.toUnmodifiableSet());

  public static final QueueConfig DEFAULT =
      new QueueConfig(true, 16_384, 32, Optional.empty(), DEFAULT_LOW_PRIORITY);

  static QueueConfig parse(ConfigNode.Section s) {
    QueueConfig d = DEFAULT;
    var c =
        new QueueConfig(
            s.bool("enabled", d.enabled()),
            s.integer("queue_size", 1, 1 << 24, d.queueSize()),
            s.integer("queue_size_mib", 1, 1 << 16, d.queueSizeMib()),
            s.get("storage").map(ConfigNode::asString),
            s.get("low_priority_events")
                .map(n -> Set.copyOf(n.asStringList()))
                .orElse(d.lowPriorityEvents()));
    s.done();
    return c;
  }

  /** storages: the ids of the file_storage extensions the service lists. */
  public void validate(String at, Set<String> storages, List<Problem> out) {
    storage
        .filter(s -> !storages.contains(s))
        .ifPresent(
            s ->
                out.add(
                    new Problem(
                        at + ".storage",
                        "'"
                            + s
                            + "' is not a file_storage extension listed in service.extensions")));
    if (queueSize < 1 || queueSizeMib < 1) {
      out.add(new Problem(at, "queue_size and queue_size_mib must be at least 1"));
    }
  }
}
