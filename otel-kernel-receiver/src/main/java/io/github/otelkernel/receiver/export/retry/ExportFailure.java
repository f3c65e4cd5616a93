package io.github.otelkernel.receiver.export.retry;

import java.util.Objects;

/** Why one export of a batch failed, on one line, and what the sender can do about it. */
public record ExportFailure(String message, Kind kind) {
  public enum Kind {
    /** An outage, a timeout, credentials not accepted yet: the same batch may go through later. */
    RETRYABLE,
    /** The destination refuses this data as such: sending it again cannot help. */
    PERMANENT,
    /** Over the destination's message limit: halves may go through, a single record cannot. */
    TOO_LARGE
  }

  public ExportFailure {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(kind, "kind");
  }

  public boolean retryable() {
    return kind == Kind.RETRYABLE;
  }
}
