package io.github.otelkernel.elastic;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterProbeTest {
  @Test
  void refusesClustersOlderThanTheClientSpeaksTo() {
    SetupException e =
        assertThrows(
            SetupException.class, () -> ClusterProbe.requireSupported("8.19.4", "http://es:9200"));
    assertEquals(
        "Elasticsearch 8.19.4 at http://es:9200 is too old: setup needs 9.0 or later",
        e.getMessage());
    assertEquals(SetupException.CLUSTER, e.exitCode());
    assertDoesNotThrow(() -> ClusterProbe.requireSupported("9.0.0", "x"));
    assertDoesNotThrow(() -> ClusterProbe.requireSupported("9.2.0-SNAPSHOT", "x"));
    assertThrows(SetupException.class, () -> ClusterProbe.requireSupported("banana", "x"));
  }

  @Test
  void theOldestNodeVersionIsFoundNumerically() {
    assertTrue(ClusterProbe.compareVersions("9.10.0", "9.9.1") > 0);
    assertTrue(ClusterProbe.compareVersions("9.2.0", "9.2.0") == 0);
    assertTrue(ClusterProbe.compareVersions("8.19.4", "9.0.0") < 0);
    assertTrue(ClusterProbe.compareVersions("9.2.0-SNAPSHOT", "9.2.1") < 0);
  }

  @Test
  void fieldLevelSecurityNeedsALicenseThatHasIt() {
    assertTrue(
        new ClusterFeatures("9.2.0", "trial", false, false, true, java.util.Set.of())
            .fieldLevelSecurity());
    assertTrue(
        !new ClusterFeatures("9.2.0", "basic", false, false, true, java.util.Set.of())
            .fieldLevelSecurity());
    assertTrue(
        !new ClusterFeatures("9.2.0", "expired", false, false, true, java.util.Set.of())
            .fieldLevelSecurity());
  }
}
