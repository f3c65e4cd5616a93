package io.github.otelkernel.receiver.enrich;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.semconv.ServiceAttributes;
import io.opentelemetry.semconv.incubating.HostIncubatingAttributes;
import io.opentelemetry.semconv.incubating.OsIncubatingAttributes;
import io.opentelemetry.semconv.incubating.ServiceIncubatingAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/** Host facts for the OTel Resource: what every record from this agent shares. */
public final class HostResource {
  public static final String SERVICE_NAME = "otel-kernel-receiver";

  private HostResource() {}

  public static Resource detect(String serviceVersion) {
    AttributesBuilder b =
        Attributes.builder()
            .put(ServiceAttributes.SERVICE_NAME, SERVICE_NAME)
            .put(ServiceAttributes.SERVICE_VERSION, serviceVersion)
            .put(ServiceIncubatingAttributes.SERVICE_INSTANCE_ID, UUID.randomUUID().toString())
            .put(
                OsIncubatingAttributes.OS_TYPE, OsIncubatingAttributes.OsTypeIncubatingValues.LINUX)
            .put(HostIncubatingAttributes.HOST_ARCH, arch());
    read("/proc/sys/kernel/hostname").ifPresent(v -> b.put(HostIncubatingAttributes.HOST_NAME, v));
    // machine-id is the host.id the OTel host detector and the Collector's resourcedetection use
    read("/etc/machine-id")
        .or(() -> read("/var/lib/dbus/machine-id"))
        .ifPresent(v -> b.put(HostIncubatingAttributes.HOST_ID, v));
    read("/proc/sys/kernel/osrelease").ifPresent(v -> b.put(OsIncubatingAttributes.OS_VERSION, v));
    osRelease("PRETTY_NAME").ifPresent(v -> b.put(OsIncubatingAttributes.OS_DESCRIPTION, v));
    osRelease("ID").ifPresent(v -> b.put(OsIncubatingAttributes.OS_NAME, v));
    return Resource.create(b.build());
  }

  private static String arch() {
    String a = System.getProperty("os.arch", "");
    return switch (a) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> a;
    };
  }

  private static Optional<String> read(String file) {
    try {
      String v = Files.readString(Path.of(file)).trim();
      return v.isEmpty() ? Optional.empty() : Optional.of(v);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> osRelease(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
        if (line.startsWith(key + "=")) {
          return Optional.of(line.substring(key.length() + 1).replaceAll("^\"|\"$", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not every host has it
    }
    return Optional.empty();
  }
}
