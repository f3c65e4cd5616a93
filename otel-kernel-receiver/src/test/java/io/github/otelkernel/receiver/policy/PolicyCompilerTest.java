package io.github.otelkernel.receiver.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.config.PolicyConfig;
import io.github.otelkernel.receiver.config.PolicyConfig.EventPolicy;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.probe.MapLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCompilerTest {
  @TempDir Path root;

  private PolicyCompiler compiler() {
    return new PolicyCompiler(null, 1, root, root);
  }

  private static long bit(EventType t) {
    return 1L << t.id();
  }

  @Test
  void theLongestPrefixNamedByATypeDecidesForIt() {
    Policy p = Policy.of(PolicyConfig.DEFAULT);
    Map<String, long[]> rules = compiler().prefixRules(p);
    long[] proc = rules.get("/proc/");
    long[] procSys = rules.get("/proc/sys/");
    // /proc/ excludes writes; /proc/sys/ includes them again
    assertEquals(bit(EventType.FILE_OPEN), proc[0] & bit(EventType.FILE_OPEN));
    assertEquals(0, proc[1] & bit(EventType.FILE_OPEN));
    assertEquals(bit(EventType.FILE_OPEN), procSys[1] & bit(EventType.FILE_OPEN));
    // unlink mentions /proc/ only: under /proc/sys/ it inherits the exclusion
    assertEquals(bit(EventType.FILE_UNLINK), procSys[0] & bit(EventType.FILE_UNLINK));
    assertEquals(0, procSys[1] & bit(EventType.FILE_UNLINK));
    // reads are an allow list: kept by default nowhere, kept under /etc/shadow
    assertTrue(!p.type(EventType.FILE_READ).defaultKeep());
    assertEquals(bit(EventType.FILE_READ), rules.get("/etc/shadow")[1] & bit(EventType.FILE_READ));
    assertTrue(p.type(EventType.FILE_OPEN).defaultKeep());
  }

  @Test
  void aStarStandsForEachDirectoryPresentNow() throws Exception {
    Files.createDirectories(root.resolve("home/alice"));
    Files.createDirectories(root.resolve("home/bob"));
    Files.writeString(root.resolve("home/notes"), "a file, not a home");
    assertEquals(
        Set.of("/home/alice/.ssh/", "/home/bob/.ssh/", "/etc/"),
        compiler().expand(List.of("/home/*/.ssh/", "/etc/")));
  }

  @Test
  void anExpandedPrefixMayFillTheKernelsKeyButNotOverflowIt() throws Exception {
    int room = MapLayout.PATH_PREFIX_MAX - "/home//.ssh/".length();
    Files.createDirectories(root.resolve("home/" + "f".repeat(room)));
    Files.createDirectories(root.resolve("home/" + "o".repeat(room + 1)));
    assertEquals(
        Set.of("/home/" + "f".repeat(room) + "/.ssh/"),
        compiler().expand(List.of("/home/*/.ssh/")));
  }

  @Test
  void operatorValuesReplaceTheDefaultsKeyByKey() {
    var cfg =
        new PolicyConfig(
            Map.of(
                "file.open",
                new EventPolicy(
                    Optional.empty(),
                    Optional.empty(),
                    Optional.of(List.of("/data/")),
                    Optional.of(Duration.ZERO)),
                "file.mkdir",
                new EventPolicy(
                    Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty())),
            PolicyConfig.ProcessRules.NONE,
            PolicyConfig.ProcessRules.NONE,
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.of(List.of("LD_PRELOAD")),
            PolicyConfig.RedactionConfig.DEFAULT,
            true);
    Policy p = Policy.of(cfg);
    assertEquals(List.of("LD_PRELOAD"), p.envVars());
    assertEquals(Policy.DEFAULT_ENV_VARS, Policy.of(PolicyConfig.DEFAULT).envVars());
    assertEquals(List.of("/data/"), p.type(EventType.FILE_OPEN).exclude());
    assertEquals(
        Policy.of(PolicyConfig.DEFAULT).type(EventType.FILE_OPEN).include(), // the default's
        p.type(EventType.FILE_OPEN).include());
    assertTrue(p.type(EventType.FILE_OPEN).include().contains("/proc/sys/"));
    assertEquals(Duration.ZERO, p.type(EventType.FILE_OPEN).aggregate());
    assertTrue(p.type(EventType.FILE_MKDIR).enabled(), "listed without 'enabled': on");
    assertTrue(!p.type(EventType.FILE_RMDIR).enabled());
  }

  @Test
  void userDeviceNumbersBecomeTheKernelsEncoding() {
    // 8:1 (sda1): glibc st_dev 0x801 → kernel (8 << 20) | 1
    assertEquals((8L << 20) | 1, PolicyCompiler.kernelDev(0x801));
    // 259:65536 needs the high minor bits
    long dev = ((259L & 0xfff) << 8) | ((65536L & 0xffffff00L) << 12);
    assertEquals((259L << 20) | 65536, PolicyCompiler.kernelDev(dev));
  }
}
