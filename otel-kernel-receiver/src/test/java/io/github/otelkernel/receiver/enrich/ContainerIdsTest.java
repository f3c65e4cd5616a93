package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.enrich.ContainerIds.ContainerRef;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerIdsTest {
  static final String ID = "3f4e2d1c0b9a8f7e6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706";
  static final String NODE = "9e1d0c2b3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6e5";
  static final String POD = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";
  static final String POD_ = POD.replace('-', '_');
  static final String STATIC_POD =
      "6f0c2a1e7b8d4c3e9a5b1d2e3f4a5b6c"; // kubelet: md5 of the manifest

  static ContainerRef ref(String path) {
    return ContainerIds.parse(path)
        .orElseThrow(() -> new AssertionError("no container in " + path));
  }

  static ContainerRef ref(String runtime, String pod) {
    return new ContainerRef(runtime, ID, Optional.ofNullable(pod));
  }

  @Test
  void dockerBothDrivers() {
    assertEquals(ref("docker", null), ref("/system.slice/docker-" + ID + ".scope"));
    assertEquals(ref("docker", null), ref("/docker/" + ID));
    // v1 hierarchies show the same paths; a container running systemd has sub-cgroups
    assertEquals(ref("docker", null), ref("/system.slice/docker-" + ID + ".scope/init.scope"));
    assertEquals(ref("docker", null), ref("/docker/" + ID + "/system.slice/cron.service"));
  }

  @Test
  void containerdCriOAndPodman() {
    assertEquals(ref("containerd", null), ref("/system.slice/cri-containerd-" + ID + ".scope"));
    assertEquals(ref("cri-o", null), ref("/machine.slice/crio-" + ID + ".scope"));
    assertEquals(ref("podman", null), ref("/machine.slice/libpod-" + ID + ".scope"));
    assertEquals(ref("podman", null), ref("/machine.slice/libpod-" + ID + ".scope/container"));
    assertEquals(
        ref("podman", null),
        ref("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + ID + ".scope"));
    assertEquals(ref("podman", null), ref("/libpod_parent/libpod-" + ID));
  }

  @Test
  void kubernetesSystemdDriverTakesTheRuntimeFromTheLeaf() {
    assertEquals(
        ref("containerd", POD),
        ref(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + POD_
                + ".slice/cri-containerd-"
                + ID
                + ".scope"));
    assertEquals(
        ref("cri-o", POD),
        ref(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod"
                + POD_
                + ".slice/crio-"
                + ID
                + ".scope"));
    assertEquals(
        ref("docker", POD),
        ref("/kubepods.slice/kubepods-pod" + POD_ + ".slice/docker-" + ID + ".scope"));
    assertEquals(
        ref("containerd", STATIC_POD),
        ref(
            "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod"
                + STATIC_POD
                + ".slice/cri-containerd-"
                + ID
                + ".scope"));
  }

  @Test
  void kubernetesCgroupfsDriver() {
    assertEquals(ref("kubernetes", POD), ref("/kubepods/burstable/pod" + POD + "/" + ID));
    assertEquals(ref("kubernetes", POD), ref("/kubepods/besteffort/pod" + POD + "/" + ID));
    assertEquals(ref("kubernetes", POD), ref("/kubepods/pod" + POD + "/" + ID)); // Guaranteed
    assertEquals(
        ref("kubernetes", STATIC_POD), ref("/kubepods/burstable/pod" + STATIC_POD + "/" + ID));
    assertEquals(ref("cri-o", POD), ref("/kubepods/burstable/pod" + POD + "/crio-" + ID));
  }

  @Test
  void theInnermostContainerWins() {
    // kind / k3d: the Kubernetes node is a Docker container on the host
    assertEquals(
        ref("kubernetes", POD),
        ref("/docker/" + NODE + "/kubepods/besteffort/pod" + POD + "/" + ID));
    assertEquals(
        ref("containerd", POD),
        ref(
            "/system.slice/docker-"
                + NODE
                + ".scope/kubelet.slice/kubelet-kubepods.slice"
                + "/kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod"
                + POD_
                + ".slice/cri-containerd-"
                + ID
                + ".scope"));
    assertEquals(ref("docker", null), ref("/docker/" + NODE + "/docker/" + ID)); // docker in docker
  }

  @Test
  void hostCgroupsAreNotContainers() {
    for (String p :
        new String[] {
          "/",
          "",
          "/init.scope",
          "/user.slice/user-1000.slice/session-3.scope",
          "/user.slice/user-1000.slice/user@1000.service/app.slice/app-org.gnome.Terminal.slice/vte-spawn-1.scope",
          "/system.slice/docker.service",
          "/system.slice/containerd.service",
          "/system.slice/crio.service",
          "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD_ + ".slice"
        }) {
      assertTrue(ContainerIds.parse(p).isEmpty(), p);
    }
    assertTrue(ContainerIds.parse(null).isEmpty());
  }

  @Test
  void monitorsAndLookalikesAreNotContainers() {
    for (String p :
        new String[] {
          "/machine.slice/crio-conmon-" + ID + ".scope",
          "/machine.slice/libpod-conmon-" + ID + ".scope",
          "/system.slice/docker-" + ID.substring(1) + ".scope", // 63 hex
          "/system.slice/docker-" + ID + "0.scope", // 65 hex
          "/system.slice/docker-"
              + ID.toUpperCase(java.util.Locale.ROOT)
              + ".scope", // runtimes write lowercase
          "/system.slice/docker-" + "g".repeat(64) + ".scope", // not hex
          "/system.slice/docker-.scope",
          "/docker/",
          "/docker/" + ID.substring(1),
          "/system.slice/" + ID, // a bare id outside docker/ and pods
          "/kubepods/burstable/" + ID, // no pod level
          "/notkubepods/burstable/pod" + POD + "/" + ID,
          "/system.slice/docker-" + ID + ".scope.bak",
          "/x".repeat(3000), // longer than any cgroup path the kernel shows
          "/a".repeat(2040) + "/docker-" + ID + ".scope"
        }) {
      assertTrue(ContainerIds.parse(p).isEmpty(), p);
    }
  }

  @Test
  void podUid() {
    assertEquals(Optional.of(POD), ContainerIds.podUid("/kubepods/burstable/pod" + POD));
    assertEquals(Optional.of(POD), ContainerIds.podUid("/kubepods/pod" + POD + "/" + ID));
    assertEquals(
        Optional.of(POD),
        ContainerIds.podUid(
            "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + POD_ + ".slice"));
    assertEquals(
        Optional.of(STATIC_POD),
        ContainerIds.podUid("/kubepods.slice/kubepods-pod" + STATIC_POD + ".slice"));
    assertEquals(Optional.empty(), ContainerIds.podUid("/system.slice/docker-" + ID + ".scope"));
    assertEquals(
        Optional.empty(),
        ContainerIds.podUid(
            "/kubepods.slice/kubepods-pod" + POD + ".slice")); // dashes: not systemd's
    assertEquals(
        Optional.empty(), ContainerIds.podUid("/pod" + POD + "/" + ID)); // not under kubepods
    assertEquals(Optional.empty(), ContainerIds.podUid(null));
  }

  @Test
  void aRuntimeNameInsideAUsersDelegatedSubtreeIsNotAContainer() {
    String delegated = "/user.slice/user-1000.slice/user@1000.service/app.slice/";
    // any user can make these with systemd-run --user --scope --unit=…
    assertEquals(Optional.empty(), ContainerIds.parse(delegated + "docker-" + ID + ".scope"));
    assertEquals(
        Optional.empty(), ContainerIds.parse(delegated + "cri-containerd-" + ID + ".scope"));
    assertEquals(Optional.empty(), ContainerIds.parse(delegated + "docker/" + ID));
    assertEquals(Optional.empty(), ContainerIds.parse(delegated + "kubepods/pod" + POD + "/" + ID));
    // the user's own rootless Podman is still named
    assertEquals(ref("podman", null), ref(delegated + "libpod-" + ID + ".scope"));
  }
}
