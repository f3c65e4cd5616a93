package io.github.otelkernel.receiver.enrich;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container and pod identity from a cgroup path (cgroup v2, or a v1 hierarchy's path). Formats:
 *
 * <ul>
 *   <li>Docker, systemd driver: {@code /system.slice/docker-<64 hex>.scope}
 *   <li>Docker, cgroupfs driver: {@code /docker/<64 hex>}
 *   <li>containerd (CRI): {@code …/cri-containerd-<64 hex>.scope}
 *   <li>CRI-O: {@code …/crio-<64 hex>.scope} ({@code crio-conmon-<id>.scope} is the monitor, not the container)
 *   <li>Podman: {@code …/libpod-<64 hex>.scope}, {@code /libpod_parent/libpod-<64 hex>}
 *   <li>Kubernetes, systemd driver: {@code /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid with _>.slice/<runtime leaf>}
 *   <li>Kubernetes, cgroupfs driver: {@code /kubepods/<qos>/pod<uid>/<64 hex>}
 * </ul>
 */
public final class ContainerIds {
  /** A container, with its pod when the path is a Kubernetes pod's. */
  public record ContainerRef(String runtime, String containerId, Optional<String> podUid) {}

  private static final Pattern LEAF = Pattern.compile(
      "(?:^|/)(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\\.scope)?(?:/|$)");
  private static final Pattern DOCKER_CGROUPFS = Pattern.compile("(?:^|/)docker/([0-9a-f]{64})(?:/|$)");
  private static final Pattern BARE_ID = Pattern.compile("/([0-9a-f]{64})(?:/|$)");
  private static final Pattern POD_SYSTEMD = Pattern.compile(
      "kubepods(?:-[a-z]+)?-pod([0-9a-f]{8}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{4}_[0-9a-f]{12})\\.slice");
  private static final Pattern POD_CGROUPFS = Pattern.compile(
      "/kubepods/(?:[a-z]+/)?pod([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:/|$)");

  private ContainerIds() {}

  public static Optional<ContainerRef> parse(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.length() > 4096) {
      return Optional.empty();
    }
    Optional<String> pod = podUid(cgroupPath);
    Matcher m = LEAF.matcher(cgroupPath);
    String runtime = null;
    String id = null;
    while (m.find()) { // the innermost match names the container
      runtime = switch (m.group(1)) {
        case "docker" -> "docker";
        case "cri-containerd" -> "containerd";
        case "crio" -> "cri-o";
        default -> "podman";
      };
      id = m.group(2);
    }
    if (id == null) {
      Matcher d = DOCKER_CGROUPFS.matcher(cgroupPath);
      if (d.find()) {
        runtime = "docker";
        id = d.group(1);
      } else if (pod.isPresent()) {
        Matcher bare = BARE_ID.matcher(cgroupPath);
        while (bare.find()) {
          id = bare.group(1);
        }
        runtime = id == null ? null : "kubernetes";
      }
    }
    return id == null ? Optional.empty() : Optional.of(new ContainerRef(runtime, id, pod));
  }

  /** The pod uid of a Kubernetes pod's cgroup, with dashes. */
  public static Optional<String> podUid(String cgroupPath) {
    Matcher s = POD_SYSTEMD.matcher(cgroupPath);
    if (s.find()) {
      return Optional.of(s.group(1).replace('_', '-'));
    }
    Matcher c = POD_CGROUPFS.matcher(cgroupPath);
    return c.find() ? Optional.of(c.group(1)) : Optional.empty();
  }
}
