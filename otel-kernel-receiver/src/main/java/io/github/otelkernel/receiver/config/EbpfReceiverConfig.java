package io.github.otelkernel.receiver.config;

import io.github.otelkernel.semconv.KsecDataStreams;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * receivers.ebpf
 *
 * @param healthInterval how often an agent.health record reports the agent's counters (zero: only
 *     at stop)
 * @param stateDirectory where the agent notes that it runs, so that the next start can tell an
 *     unclean stop
 * @param dataStreamNamespace data_stream.namespace on the resource: the last part of the
 *     Elasticsearch data streams the records land in (logs-ksec.process.otel-NAMESPACE), to keep
 *     environments or tenants apart
 */
public record EbpfReceiverConfig(
    int ringBufferSizeMib,
    PolicyConfig policy,
    Duration healthInterval,
    Path stateDirectory,
    String dataStreamNamespace) {
  public static final Path DEFAULT_STATE_DIRECTORY = Path.of("/var/lib/otel-kernel-receiver");
  public static final EbpfReceiverConfig DEFAULT =
      new EbpfReceiverConfig(
          16,
          PolicyConfig.DEFAULT,
          Duration.ofSeconds(60),
          DEFAULT_STATE_DIRECTORY,
          KsecDataStreams.DEFAULT_NAMESPACE);

  public long ringBufferBytes() {
    return (long) ringBufferSizeMib << 20;
  }

  static EbpfReceiverConfig parse(ConfigNode.Section s) {
    EbpfReceiverConfig d = DEFAULT;
    var c =
        new EbpfReceiverConfig(
            s.integer("ring_buffer_size_mib", 1, 1024, d.ringBufferSizeMib()),
            s.get("policy").map(PolicyParser::parse).orElse(d.policy()),
            s.duration("health_interval", d.healthInterval()),
            s.get("state_directory").map(n -> Path.of(n.asString())).orElse(d.stateDirectory()),
            s.get("data_stream")
                .map(
                    n -> {
                      ConfigNode.Section ds = n.section();
                      String ns = ds.string("namespace", d.dataStreamNamespace());
                      ds.done();
                      return ns;
                    })
                .orElse(d.dataStreamNamespace()));
    s.done();
    return c;
  }

  public void validate(String at, List<Problem> out) {
    if (ringBufferSizeMib < 1 || Integer.bitCount(ringBufferSizeMib) != 1) {
      out.add(
          new Problem(
              at + ".ring_buffer_size_mib",
              ringBufferSizeMib
                  + " is not a power of two (the kernel requires one): use 8, 16, 32, 64…"));
    }
    KsecDataStreams.namespaceProblem(dataStreamNamespace)
        .ifPresent(
            why ->
                out.add(
                    new Problem(
                        at + ".data_stream.namespace",
                        "'"
                            + dataStreamNamespace
                            + "' "
                            + why
                            + ": Elasticsearch would refuse the data stream (use e.g. default,"
                            + " prod)")));
    if (healthInterval.isNegative()) {
      out.add(
          new Problem(at + ".health_interval", healthInterval + " is negative (0s: only at stop)"));
    }
  }
}
