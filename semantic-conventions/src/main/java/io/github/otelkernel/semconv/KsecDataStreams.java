package io.github.otelkernel.semconv;

import io.opentelemetry.api.common.AttributeKey;
import java.util.Locale;
import java.util.Optional;

/**
 * Where each record goes in Elasticsearch: one data stream per domain, named by the record's
 * data_stream.dataset. The Collector's elasticsearch exporter reads data_stream.* from a record's,
 * then its scope's, then its resource's attributes and, in its default mapping mode (otel), writes
 * to {@code logs-<dataset>.otel-<namespace>}, so a stock Collector routes the agent's records with
 * no processor. The agent stamps the dataset on every record and the namespace on its resource;
 * setup installs one template and one retention per domain.
 */
public final class KsecDataStreams {
  public static final AttributeKey<String> DATASET = AttributeKey.stringKey("data_stream.dataset");
  public static final AttributeKey<String> NAMESPACE =
      AttributeKey.stringKey("data_stream.namespace");
  public static final String DEFAULT_NAMESPACE = "default";

  /** Elasticsearch's limit on a data stream name part, in bytes. */
  private static final int MAX_NAMESPACE_BYTES = 100;

  /** Characters Elasticsearch refuses in a data stream namespace. */
  private static final String NAMESPACE_FORBIDDEN = "\\/*?\"<>| ,#:";

  private KsecDataStreams() {}

  /** The domains, each one data stream: what a SOC keeps for different times and shows apart. */
  public enum Domain {
    /** Process lifecycle, credentials, injection: process.*, and the late executable hash. */
    PROCESS,
    /** file.* */
    FILE,
    /** network.* */
    NETWORK,
    /** The kernel and the host as a whole: kernel.*, host.*, io_uring.* */
    KERNEL,
    /** The agent's own records: agent.health. */
    AGENT;

    private final String dataset = "ksec." + name().toLowerCase(Locale.ROOT);

    /** data_stream.dataset, without the ".otel" the exporter appends. */
    public String dataset() {
      return dataset;
    }

    /** The name setup and its --retention option use: process, file… */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The domain a --retention key names. */
    public static Optional<Domain> ofKey(String key) {
      for (Domain d : values()) {
        if (d.key().equals(key)) {
          return Optional.of(d);
        }
      }
      return Optional.empty();
    }
  }

  /** The domain of an EventName, when its namespace is one the catalog uses. */
  public static Optional<Domain> domain(String eventName) {
    return Optional.ofNullable(domainOrNull(eventName));
  }

  /**
   * data_stream.dataset of a record with this EventName. A name outside the catalog's namespaces
   * (KsecDataStreamsTest fails on one in the catalog) goes to the kernel stream rather than to
   * none: a record is never left for a stream nobody set up.
   */
  public static String dataset(String eventName) {
    Domain d = domainOrNull(eventName);
    return (d == null ? Domain.KERNEL : d).dataset();
  }

  // prefix tests, no substring: this runs for every record the agent sends
  private static Domain domainOrNull(String eventName) {
    if (eventName == null) {
      return null;
    } else if (eventName.startsWith("process.")) {
      return Domain.PROCESS;
    } else if (eventName.startsWith("file.")) {
      return Domain.FILE;
    } else if (eventName.startsWith("network.")) {
      return Domain.NETWORK;
    } else if (eventName.startsWith("kernel.")
        || eventName.startsWith("host.")
        || eventName.startsWith("io_uring.")) {
      return Domain.KERNEL;
    } else if (eventName.startsWith("agent.")) {
      return Domain.AGENT;
    }
    return null;
  }

  /**
   * Why Elasticsearch would refuse this data stream namespace, or empty when it would take it
   * (lowercase, at most 100 bytes, none of {@code \ / * ? " < > | , # :} or space, not starting
   * with - _ +).
   */
  public static Optional<String> namespaceProblem(String namespace) {
    if (namespace.isEmpty()) {
      return Optional.of("is empty");
    }
    if (namespace.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_NAMESPACE_BYTES) {
      return Optional.of("is longer than " + MAX_NAMESPACE_BYTES + " bytes");
    }
    if (!namespace.equals(namespace.toLowerCase(Locale.ROOT))) {
      return Optional.of("has upper-case letters (data stream names are lowercase)");
    }
    if ("-_+".indexOf(namespace.charAt(0)) >= 0) {
      return Optional.of("starts with '" + namespace.charAt(0) + "'");
    }
    for (char c : namespace.toCharArray()) {
      if (NAMESPACE_FORBIDDEN.indexOf(c) >= 0 || Character.isISOControl(c)) {
        return Optional.of("contains '" + c + "', which a data stream name cannot");
      }
    }
    return Optional.empty();
  }
}
