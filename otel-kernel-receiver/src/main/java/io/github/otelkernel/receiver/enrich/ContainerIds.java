package io.github.otelkernel.receiver.enrich;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Container and pod identity from a cgroup path: a cgroup v2 path (what follows {@code 0::} in
 * {@code /proc/PID/cgroup}) or the path in a v1 hierarchy. A container id is 64 lowercase hex
 * characters; a pod uid is a UUID, or 32 hex characters for static pods (kubelet's hash of the
 * manifest). Formats:
 *
 * <ul>
 *   <li>Docker, systemd driver: {@code /system.slice/docker-<id>.scope}
 *   <li>Docker, cgroupfs driver: {@code /docker/<id>}
 *   <li>containerd (CRI): {@code …/cri-containerd-<id>.scope}
 *   <li>CRI-O: {@code …/crio-<id>.scope} (systemd), {@code …/crio-<id>} (cgroupfs); {@code
 *       crio-conmon-<id>.scope} is the monitor process, not the container
 *   <li>Podman: {@code /machine.slice/libpod-<id>.scope}, rootless {@code
 *       /user.slice/user-1000.slice/user@1000.service/user.slice/libpod-<id>.scope}, cgroupfs
 *       {@code /libpod_parent/libpod-<id>}; {@code libpod-conmon-<id>.scope} is the monitor
 *   <li>Kubernetes, systemd driver: {@code /kubepods.slice/kubepods-<qos>.slice/
 *       kubepods-<qos>-pod<uid with '_' for '-'>.slice/<one of the leaves above>}; Guaranteed pods
 *       have no QoS level ({@code kubepods-pod<uid>.slice}); kind and k3s prefix {@code kubelet-}
 *   <li>Kubernetes, cgroupfs driver: {@code /kubepods/<qos>/pod<uid>/<id>}, {@code
 *       /kubepods/pod<uid>/<id>}; the leaf does not name the runtime, so it is reported as {@code
 *       kubernetes}
 * </ul>
 *
 * The innermost container wins: a Kubernetes node that is itself a container (kind, k3d: {@code
 * /docker/<node id>/kubepods/…/pod<uid>/<id>}) gives the pod's container, not the node.
 *
 * <p>Below a user's delegated subtree ({@code user@<uid>.service}) the user names the cgroups: a
 * {@code docker-<hex>.scope} there is anyone's ({@code systemd-run --user --scope --unit=…}), not
 * Docker's. Only a rootless Podman leaf ({@code libpod-<id>}) is taken there, which is the user's
 * own runtime and as trustworthy as the user; every other runtime's name is ignored.
 */
public final class ContainerIds {
  /** A container, with the uid of its pod when the path is a Kubernetes pod's. */
  public record ContainerRef(String runtime, String containerId, Optional<String> podUid) {}

  // /proc/PID/cgroup paths are at most PATH_MAX; anything longer is not from the kernel
  private static final int MAX_PATH = 4096;
  private static final Pattern RUNTIME_LEAF =
      Pattern.compile("(docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\\.scope)?");
  private static final Pattern BARE_ID = Pattern.compile("[0-9a-f]{64}");

  /** systemd's per-user manager: what is below it is delegated to that user. */
  private static final Pattern USER_MANAGER = Pattern.compile("user@[0-9]+\\.service");

  private static final String UUID = uuid("-");
  private static final String STATIC_POD = "[0-9a-f]{32}";
  private static final Pattern POD_SLICE =
      Pattern.compile(
          "(?:[a-z]+-)?kubepods(?:-[a-z]+)?-pod(" + uuid("_") + "|" + STATIC_POD + ")\\.slice");
  private static final Pattern POD_DIR = Pattern.compile("pod(" + UUID + "|" + STATIC_POD + ")");

  private ContainerIds() {}

  private static String uuid(
      String sep) { // systemd slice names cannot hold '-', so kubelet writes '_'
    return String.join(
        sep, "[0-9a-f]{8}", "[0-9a-f]{4}", "[0-9a-f]{4}", "[0-9a-f]{4}", "[0-9a-f]{12}");
  }

  public static Optional<ContainerRef> parse(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.length() > MAX_PATH) {
      return Optional.empty();
    }
    String[] parts = cgroupPath.split("/");
    int delegated = parts.length; // index of the first user@<uid>.service, if any
    for (int i = 0; i < parts.length; i++) {
      if (USER_MANAGER.matcher(parts[i]).matches()) {
        delegated = i;
        break;
      }
    }
    for (int i = parts.length - 1; i >= 0; i--) { // leaf first: the innermost container wins
      Matcher m = RUNTIME_LEAF.matcher(parts[i]);
      if (i > delegated) {
        if (m.matches() && m.group(1).equals("libpod")) {
          return Optional.of(new ContainerRef("podman", m.group(2), Optional.empty()));
        }
        continue; // a name the user chose, not a runtime's
      }
      if (m.matches()) {
        String runtime =
            switch (m.group(1)) {
              case "docker" -> "docker";
              case "cri-containerd" -> "containerd";
              case "crio" -> "cri-o";
              default -> "podman";
            };
        return Optional.of(new ContainerRef(runtime, m.group(2), podAbove(parts, i)));
      }
      if (i > 0 && BARE_ID.matcher(parts[i]).matches()) {
        if (parts[i - 1].equals("docker")) {
          return Optional.of(new ContainerRef("docker", parts[i], podAbove(parts, i)));
        }
        Optional<String> pod = podAt(parts, i - 1);
        if (pod.isPresent()) {
          return Optional.of(new ContainerRef("kubernetes", parts[i], pod));
        }
      }
    }
    return Optional.empty();
  }

  /** The uid (with dashes) of the innermost Kubernetes pod in a cgroup path. */
  public static Optional<String> podUid(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.length() > MAX_PATH) {
      return Optional.empty();
    }
    String[] parts = cgroupPath.split("/");
    return podAbove(parts, parts.length);
  }

  private static Optional<String> podAbove(String[] parts, int below) {
    for (int i = below - 1; i >= 0; i--) {
      Optional<String> pod = podAt(parts, i);
      if (pod.isPresent()) {
        return pod;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> podAt(String[] parts, int i) {
    Matcher s = POD_SLICE.matcher(parts[i]);
    if (s.matches()) {
      return Optional.of(s.group(1).replace('_', '-'));
    }
    Matcher d = POD_DIR.matcher(parts[i]);
    // cgroupfs driver: pod<uid> directly under kubepods or under kubepods/<qos>
    if (d.matches()
        && ((i > 0 && parts[i - 1].equals("kubepods"))
            || (i > 1 && parts[i - 2].equals("kubepods")))) {
      return Optional.of(d.group(1));
    }
    return Optional.empty();
  }
}
