package io.github.otelkernel.receiver.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Files the agent writes, on real files. */
class SafeFilesTest {
  @Test
  void createdFileIsOwnerOnly(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("out.jsonl");
    SafeFiles.openForAppend(f).close();
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
  }

  @Test
  void symlinkIsRefused(@TempDir Path dir) throws IOException {
    Path target = Files.createFile(dir.resolve("target"));
    Path link = Files.createSymbolicLink(dir.resolve("out.jsonl"), target);
    IOException e = assertThrows(IOException.class, () -> SafeFiles.openForAppend(link));
    assertTrue(e.getMessage().contains("is a symlink; point it at a regular file"), e.getMessage());
    assertEquals(0, Files.size(target));
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.SECONDS)
  void fifoIsRefusedWithoutBlocking(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("out.jsonl");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    IOException e = assertThrows(IOException.class, () -> SafeFiles.openForAppend(fifo));
    assertTrue(e.getMessage().contains("FIFO"), e.getMessage());
  }

  @Test
  void parentWritableByOthersIsRefused(@TempDir Path dir) throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    IOException e =
        assertThrows(IOException.class, () -> SafeFiles.openForAppend(shared.resolve("out.jsonl")));
    assertTrue(e.getMessage().contains("writable by group or others"), e.getMessage());
    assertTrue(Files.notExists(shared.resolve("out.jsonl"), LinkOption.NOFOLLOW_LINKS));
  }

  @Test
  void aDirectoryAboveTheParentWritableByOthersIsRefused(@TempDir Path dir) throws IOException {
    Path shared = Files.createDirectory(dir.resolve("shared"));
    Path inner =
        Files.createDirectory(shared.resolve("inner")); // 0755 itself, but its parent is not
    Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
    IOException e =
        assertThrows(IOException.class, () -> SafeFiles.openForAppend(inner.resolve("out.jsonl")));
    assertTrue(
        e.getMessage().contains("above " + inner)
            && e.getMessage().contains("writable by group or others"),
        e.getMessage());
  }

  @Test
  void aDirectoryOrFileOwnedBySomeoneElseIsRefused(@TempDir Path dir) throws IOException {
    Path theirs = Files.createDirectory(dir.resolve("theirs"));
    Files.setAttribute(theirs, "unix:uid", 65534);
    IOException e =
        assertThrows(IOException.class, () -> SafeFiles.openForAppend(theirs.resolve("out.jsonl")));
    assertTrue(e.getMessage().contains("belongs to uid 65534"), e.getMessage());
    // a file planted in a sticky shared directory: appending would hand the events to its owner
    Path sticky = Files.createDirectory(dir.resolve("sticky"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    Path planted = Files.createFile(sticky.resolve("out.jsonl"));
    Files.setAttribute(planted, "unix:uid", 65534);
    e = assertThrows(IOException.class, () -> SafeFiles.openForAppend(planted));
    assertTrue(e.getMessage().contains("belongs to uid 65534, not to the agent"), e.getMessage());
    assertEquals(0, Files.size(planted));
  }

  @Test
  void aTrustedFileReachedThroughSomeoneElsesSymlinkIsRefused(@TempDir Path dir)
      throws IOException {
    Path real = Files.writeString(dir.resolve("ca.pem"), "x");
    Path sticky = Files.createDirectory(dir.resolve("shared"));
    Files.setAttribute(sticky, "unix:mode", 01777);
    Path link = Files.createSymbolicLink(sticky.resolve("ca.pem"), real);
    SafeFiles.checkTrusted(link); // root's own link: fine
    Files.setAttribute(link, "unix:uid", 65534, LinkOption.NOFOLLOW_LINKS);
    IOException e = assertThrows(IOException.class, () -> SafeFiles.checkTrusted(link));
    assertTrue(
        e.getMessage().contains("the symlink " + link + " belongs to uid 65534"), e.getMessage());
  }
}
