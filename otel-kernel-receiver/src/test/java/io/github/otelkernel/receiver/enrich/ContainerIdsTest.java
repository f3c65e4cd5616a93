package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.enrich.ContainerIds.ContainerRef;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ContainerIdsTest {
  static final String ID = "3f4e2d1c0b9a8f7e6d5c4b3a29180716f5e4d3c2b1a09f8e7d6c5b4a39281706";
  static final String POD = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";

  static ContainerRef ref(String path) {
    return ContainerIds.parse(path).orElseThrow(() -> new AssertionError("no container in " + path));
  }

  @Test
  void runtimesAndDrivers() {
    assertEquals(new ContainerRef("docker", ID, Optional.empty()), ref("/system.slice/docker-" + ID + ".scope"));
    assertEquals(new ContainerRef("docker", ID, Optional.empty()), ref("/docker/" + ID));
    assertEquals(new ContainerRef("cri-o", ID, Optional.empty()), ref("/machine.slice/crio-" + ID + ".scope"));
    assertEquals(new ContainerRef("podman", ID, Optional.empty()), ref("/machine.slice/libpod-" + ID + ".scope/container"));
    assertEquals(new ContainerRef("containerd", ID, Optional.of(POD)), ref(
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + POD.replace('-', '_')
            + ".slice/cri-containerd-" + ID + ".scope"));
    assertEquals(new ContainerRef("kubernetes", ID, Optional.of(POD)), ref("/kubepods/besteffort/pod" + POD + "/" + ID));
    assertEquals(new ContainerRef("cri-o", ID, Optional.of(POD)), ref(
        "/kubepods.slice/kubepods-pod" + POD.replace('-', '_') + ".slice/crio-" + ID + ".scope"));
  }

  @Test
  void hostPathsAndLookalikesAreNotContainers() {
    for (String p : new String[] {"/", "/init.scope", "/user.slice/user-1000.slice/session-3.scope",
        "/system.slice/docker.service", "/system.slice/docker-" + ID.substring(1) + ".scope",
        "/system.slice/docker-" + ID.toUpperCase() + ".scope", "/machine.slice/crio-conmon-" + ID + ".scope",
        "/x".repeat(3000)}) {
      assertTrue(ContainerIds.parse(p).isEmpty(), p);
    }
    assertEquals(Optional.of(POD), ContainerIds.podUid("/kubepods/burstable/pod" + POD));
  }
}
