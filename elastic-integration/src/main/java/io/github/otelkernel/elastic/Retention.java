package io.github.otelkernel.elastic;

import io.github.otelkernel.semconv.KsecDataStreams.Domain;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How long each domain's data stream keeps its records: one default, and per-domain overrides
 * (--retention process=365d,file=30d), since a SOC keeps process history far longer than file
 * noise. Immutable.
 */
public record Retention(int defaultDays, Map<Domain, Integer> overrides) {
  public Retention {
    if (defaultDays < 1) {
      throw new IllegalArgumentException("retention must be at least 1 day, not " + defaultDays);
    }
    overrides = Map.copyOf(overrides);
  }

  /** Every stream kept the same number of days. */
  public static Retention uniform(int days) {
    return new Retention(days, Map.of());
  }

  /** Days the stream of this domain keeps its records. */
  public int days(Domain domain) {
    return overrides.getOrDefault(domain, defaultDays);
  }

  /**
   * The --retention value on top of a default: comma-separated DOMAIN=DAYSd
   * (process=365d,file=30d); null or empty keeps the default everywhere.
   */
  static Retention parse(String spec, int defaultDays) throws SetupException {
    if (defaultDays < 1) {
      throw SetupException.usage("retention must be at least 1 day, not " + defaultDays);
    }
    Map<Domain, Integer> overrides = new EnumMap<>(Domain.class);
    if (spec != null && !spec.isBlank()) {
      for (String part : spec.split(",", -1)) {
        int eq = part.indexOf('=');
        String key = eq < 0 ? part.strip() : part.substring(0, eq).strip();
        Domain d =
            Domain.ofKey(key)
                .orElseThrow(
                    () ->
                        SetupException.usage(
                            "--retention: '"
                                + key
                                + "' is not a data stream; use "
                                + Arrays.stream(Domain.values())
                                    .map(Domain::key)
                                    .collect(Collectors.joining(", "))
                                + " (e.g. --retention process=365d,file=30d)"));
        String value = eq < 0 ? "" : part.substring(eq + 1).strip();
        int days = days(key, value);
        if (overrides.put(d, days) != null) {
          throw SetupException.usage("--retention: " + key + " is given twice");
        }
      }
    }
    return new Retention(defaultDays, overrides);
  }

  private static int days(String key, String value) throws SetupException {
    String digits = value.endsWith("d") ? value.substring(0, value.length() - 1) : "";
    if (!digits.isEmpty() && digits.length() <= 6 && digits.chars().allMatch(Character::isDigit)) {
      int days = Integer.parseInt(digits);
      if (days >= 1) {
        return days;
      }
    }
    throw SetupException.usage(
        "--retention: "
            + key
            + "="
            + value
            + " is not a number of days; write it as "
            + key
            + "=30d (at least 1d)");
  }
}
