package io.github.otelkernel.receiver.export.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * retry_on_failure, as the Collector's exporterhelper reads it: wait initialInterval after the
 * first failure, twice as long after each next one up to maxInterval, and give a batch up once
 * maxElapsed has passed since its first attempt (zero: never). Disabled, a failure is final.
 */
public record RetryPolicy(
    boolean enabled, Duration initialInterval, Duration maxInterval, Duration maxElapsed) {
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(true, Duration.ofSeconds(5), Duration.ofSeconds(30), Duration.ofMinutes(5));

  public RetryPolicy {
    Objects.requireNonNull(initialInterval, "initialInterval");
    Objects.requireNonNull(maxInterval, "maxInterval");
    Objects.requireNonNull(maxElapsed, "maxElapsed");
    problem(initialInterval, maxInterval, maxElapsed)
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
  }

  /** What makes these settings unusable, in retry_on_failure's key names; empty when usable. */
  public static Optional<String> problem(Duration initial, Duration max, Duration maxElapsed) {
    // a zero wait would spin the sender against a dead destination
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      return Optional.of(
          "need 0 < initial_interval <= max_interval, got " + initial + " and " + max);
    }
    if (maxElapsed.isNegative()) {
      return Optional.of("max_elapsed_time is negative: " + maxElapsed);
    }
    return Optional.empty();
  }

  /** The wait after the one that was just spent: doubled, capped at maxInterval. */
  public Duration nextInterval(Duration previous) {
    // compared before doubling: a long max_interval must not overflow
    return previous.compareTo(maxInterval.dividedBy(2)) >= 0
        ? maxInterval
        : previous.multipliedBy(2);
  }

  /** Whether a batch that has failed for this long since its first attempt is to be given up. */
  public boolean givesUp(Duration sinceFirstAttempt) {
    return !enabled || (!maxElapsed.isZero() && sinceFirstAttempt.compareTo(maxElapsed) > 0);
  }
}
