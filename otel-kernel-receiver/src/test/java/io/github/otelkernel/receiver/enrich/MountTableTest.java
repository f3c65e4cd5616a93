package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountTableTest {
  @Test
  void parsesMountinfoLinesWithEscapedMountPoints() {
    var m =
        MountTable.parse(
            "36 35 0:52 / /mnt/my\\040fuse rw,nosuid shared:1 - fuse.sshfs host:/ rw,user_id=0");
    assertEquals(36, m.id());
    assertEquals("/mnt/my fuse", m.mountPoint());
    assertTrue(m.fuse());
    assertFalse(MountTable.parse("22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw").fuse());
    assertEquals(41, MountTable.mountId("pos:\t0\nflags:\t012000000\nmnt_id:\t41\nino:\t12\n"));
  }

  @Test
  void aPathUnderAFuseMountIsRecognisedWithoutTouchingIt(@TempDir Path dir) throws Exception {
    Path proc = Files.createDirectories(dir.resolve("self"));
    Files.writeString(
        proc.resolve("mountinfo"),
        """
        22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
        40 22 0:50 / /home/u/mnt rw,nosuid,nodev shared:2 - fuse.stuck stuck rw,user_id=1000
        """);
    MountTable t = new MountTable(dir);
    assertTrue(t.pathCrossesFuse("/home/u/mnt/prog"));
    assertTrue(t.pathCrossesFuse("/home/u/mnt"));
    assertFalse(
        t.pathCrossesFuse("/home/u/mntx/prog"), "a sibling with the same prefix is not under it");
    assertFalse(t.pathCrossesFuse("/usr/bin/true"));
  }

  @Test
  void aDescriptorOnTheRealRootFileSystemIsNotFuse() throws Exception {
    MountTable t = new MountTable(Path.of("/proc"));
    try (var ch = java.nio.channels.FileChannel.open(Path.of("/proc/self/exe"))) {
      // the JVM's own executable: a real mount of this machine, known to the table
      int fd = -1;
      java.util.List<Path> fds;
      try (var list = Files.list(Path.of("/proc/self/fd"))) {
        fds = list.toList();
      }
      for (Path p : fds) {
        try {
          if (Files.isSameFile(Files.readSymbolicLink(p), Path.of("/proc/self/exe").toRealPath())) {
            fd = Integer.parseInt(p.getFileName().toString());
          }
        } catch (java.io.IOException | RuntimeException ignored) {
          // descriptors closing meanwhile
        }
      }
      assertTrue(fd >= 0, "found the descriptor");
      assertFalse(t.onFuse(fd));
    }
    assertTrue(t.onFuse(999_999), "an unknown descriptor counts as FUSE: nothing is read");
  }
}
