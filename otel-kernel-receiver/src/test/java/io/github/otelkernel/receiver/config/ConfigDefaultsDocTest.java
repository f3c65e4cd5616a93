package io.github.otelkernel.receiver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.otelkernel.receiver.export.retry.RetryPolicy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The defaults docs/configuration.md states are the ones the component records hold: a default
 * changed in code and not in the document (or the other way) fails here.
 */
class ConfigDefaultsDocTest {
  private static final Path DOC = Path.of("../docs/configuration.md");

  /** "section|key" → the default column, for every table row of the document. */
  private static Map<String, String> documented() throws IOException {
    Map<String, String> out = new TreeMap<>();
    String section = "";
    for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
      if (line.startsWith("#")) {
        section = line.replaceFirst("^#+\\s*", "");
      } else if (line.startsWith("| `")) {
        String[] cells = line.split("\\|", -1);
        out.put(section + "|" + cells[1].strip(), cells[2].strip());
      }
    }
    return out;
  }

  /**
   * A duration written as the document writes it (60s, 200ms, 5m) is the default when it parses to
   * the same length: the document says which, the loader reads either.
   */
  private static String go(Duration d) {
    return "duration:" + d.toNanos();
  }

  private static String normalise(String cell) {
    var m = java.util.regex.Pattern.compile("`(\\d+)(ms|s|m|h)`").matcher(cell);
    if (!m.matches()) {
      return cell;
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    return "`" + go(d) + "`";
  }

  private static String code(Object v) {
    return "`" + v + "`";
  }

  @Test
  void everyDocumentedDefaultIsTheRecordsOwn() throws IOException {
    Map<String, String> expected = new LinkedHashMap<>();
    EbpfReceiverConfig r = EbpfReceiverConfig.DEFAULT;
    expected.put("receivers.ebpf|`ring_buffer_size_mib`", code(r.ringBufferSizeMib()));
    expected.put("receivers.ebpf|`health_interval`", code(go(r.healthInterval())));
    expected.put("receivers.ebpf|`state_directory`", code(r.stateDirectory()));
    expected.put("receivers.ebpf|`data_stream.namespace`", code(r.dataStreamNamespace()));
    BatchConfig b = BatchConfig.DEFAULT;
    expected.put("processors.batch|`timeout`", code(go(b.timeout())));
    expected.put("processors.batch|`send_batch_size`", code(b.sendBatchSize()));
    expected.put("processors.batch|`queue_size`", code(b.queueSize()));
    expected.put("processors.batch|`queue_size_mib`", code(b.queueSizeMib()));
    expected.put("file|`rotation.max_megabytes`", code(FileExporterConfig.DEFAULT_MAX_MEGABYTES));
    expected.put("file|`rotation.max_backups`", code(FileExporterConfig.DEFAULT_MAX_BACKUPS));
    String otlp = "otlp, otlphttp|`";
    expected.put(otlp + "tls.insecure`", code(TlsConfig.DEFAULT.insecure()));
    expected.put(otlp + "compression`", code(OtlpExporterConfig.DEFAULT_COMPRESSION));
    expected.put(otlp + "timeout`", code(go(OtlpExporterConfig.DEFAULT_TIMEOUT)));
    RetryPolicy retry = RetryPolicy.DEFAULT;
    expected.put(otlp + "retry_on_failure.enabled`", code(retry.enabled()));
    expected.put(otlp + "retry_on_failure.initial_interval`", code(go(retry.initialInterval())));
    expected.put(otlp + "retry_on_failure.max_interval`", code(go(retry.maxInterval())));
    expected.put(otlp + "retry_on_failure.max_elapsed_time`", code(go(retry.maxElapsed())));
    QueueConfig q = QueueConfig.DEFAULT;
    expected.put(otlp + "sending_queue.enabled`", code(q.enabled()));
    expected.put(otlp + "sending_queue.queue_size`", code(q.queueSize()));
    expected.put(otlp + "sending_queue.queue_size_mib`", code(q.queueSizeMib()));
    expected.put(
        otlp + "sending_queue.low_priority_events`",
        code(
            "["
                + String.join(", ", new java.util.TreeSet<>(q.lowPriorityEvents()).reversed())
                + "]"));
    expected.put(
        "extensions.file_storage|`max_size_mib`", code(FileStorageConfig.DEFAULT_MAX_SIZE_MIB));
    expected.put("extensions.health_check|`endpoint`", code(HealthCheckConfig.DEFAULT_ENDPOINT));
    expected.put("extensions.health_check|`path`", code(HealthCheckConfig.DEFAULT_PATH));
    expected.put("service|`interval`", code(go(TelemetryConfig.DEFAULT.interval())));

    Map<String, String> doc = documented();
    Map<String, String> found = new LinkedHashMap<>();
    expected.keySet().forEach(k -> found.put(k, doc.containsKey(k) ? normalise(doc.get(k)) : null));
    assertEquals(expected, found);
  }
}
