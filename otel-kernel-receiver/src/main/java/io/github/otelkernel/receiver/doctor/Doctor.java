package io.github.otelkernel.receiver.doctor;

import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code otel-kernel-receiver doctor}: checks a host before the agent is deployed on it, one line
 * per check with what will and will not work and how to fix it. The checks are the agent's own
 * start-up steps, made without attaching anything or writing any file.
 */
public final class Doctor {
  private final Path config;
  private final Duration timeout;
  private Optional<URI> elasticsearch = Optional.empty();
  private ElasticsearchCheck.Credentials credentials =
      new ElasticsearchCheck.Credentials(Optional.empty(), Optional.empty(), Optional.empty());
  private Optional<Path> caFile = Optional.empty();

  /**
   * @param config the config to check, or null for the built-in default
   * @param timeout for each network check
   */
  public Doctor(Path config, Duration timeout) {
    this.config = config;
    this.timeout = timeout;
  }

  /** Also checks that {@code setup} has been run against this cluster. */
  public Doctor elasticsearch(
      URI cluster,
      Optional<Path> apiKeyFile,
      Optional<String> username,
      Optional<Path> passwordFile,
      Optional<Path> caFile) {
    this.elasticsearch = Optional.of(cluster);
    this.credentials = ElasticsearchCheck.Credentials.read(apiKeyFile, username, passwordFile);
    this.caFile = caFile;
    return this;
  }

  public List<Check> run() {
    List<Check> checks = new ArrayList<>(KernelChecks.run());
    checks.addAll(ConfigChecks.run(config, timeout));
    elasticsearch.ifPresent(
        es -> checks.add(ElasticsearchCheck.run(es, credentials, caFile, timeout)));
    return checks;
  }

  /** Prints the report; true when the agent would start (no check failed). */
  public static boolean print(List<Check> checks, PrintStream out) {
    checks.forEach(c -> out.println(c.line()));
    long failed = checks.stream().filter(c -> c.status() == Check.Status.FAIL).count();
    long warned = checks.stream().filter(c -> c.status() == Check.Status.WARN).count();
    out.println(
        failed == 0
            ? "doctor: the agent would start"
                + (warned == 0 ? "" : " (" + warned + (warned == 1 ? " warning)" : " warnings)"))
            : "doctor: the agent would not start: "
                + failed
                + (failed == 1 ? " check failed" : " checks failed"));
    return failed == 0;
  }
}
