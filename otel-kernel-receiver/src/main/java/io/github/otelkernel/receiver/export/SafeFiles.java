package io.github.otelkernel.receiver.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Opening the files the agent writes (it runs as root): created 0600, never through a symlink,
 * never a FIFO or device (which would block or leak), never in a directory others may write to.
 */
public final class SafeFiles {
  private SafeFiles() {}

  /** Opens path for appending, creating it 0600; refuses anything but a regular file. */
  public static FileChannel openForAppend(Path path) throws IOException {
    checkParent(path);
    // checked before opening: open(2) on a FIFO blocks until a reader comes
    checkRegularIfExists(path);
    FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.APPEND,
        StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS), PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------")));
    // the file may have been swapped between the check and the open
    if (!Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS).isRegularFile()) {
      ch.close();
      throw new IOException(path + " is not a regular file; point it at a regular file");
    }
    return ch;
  }

  /** Refuses path when it exists and is a symlink, FIFO, device or directory. */
  public static void checkRegularIfExists(Path path) throws IOException {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (a.isSymbolicLink()) {
      throw new IOException(path + " is a symlink; point it at a regular file");
    }
    if (a.isDirectory()) {
      throw new IOException(path + " is a directory; point it at a regular file");
    }
    if (!a.isRegularFile()) {
      throw new IOException(path + " is a FIFO, socket or device; point it at a regular file");
    }
  }

  /** Refuses a parent directory that group or others may write to (they could swap the file). */
  public static void checkParent(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      checkDirectory(parent);
    }
  }

  /** Refuses a directory writable by group or others, unless sticky (as /tmp) and owned by us. */
  public static void checkDirectory(Path dir) throws IOException {
    PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class);
    Set<PosixFilePermission> p = a.permissions();
    boolean shared = p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
    if (shared && !sticky(dir)) {
      throw new IOException("directory " + dir + " is writable by group or others ("
          + PosixFilePermissions.toString(p) + "); use a directory only root can write to (chmod go-w)");
    }
  }

  private static boolean sticky(Path dir) {
    try {
      return ((Integer) Files.getAttribute(dir, "unix:mode") & 01000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /** Creates dir (and parents) 0700 when missing, then checks it. */
  public static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    checkDirectory(dir);
  }
}
