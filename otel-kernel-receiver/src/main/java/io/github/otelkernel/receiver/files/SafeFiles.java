package io.github.otelkernel.receiver.files;

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
    // checked before opening: open(2) on a FIFO blocks until a reader comes
    checkWritable(path);
    FileChannel ch =
        FileChannel.open(
            path,
            Set.of(
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND,
                StandardOpenOption.WRITE,
                LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    // the file may have been swapped between the check and the open
    if (!Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS)
        .isRegularFile()) {
      ch.close();
      throw new IOException(path + " is not a regular file; point it at a regular file");
    }
    return ch;
  }

  /**
   * The checks {@link #openForAppend} makes before it opens, made without creating anything: what a
   * configuration check runs.
   */
  public static void checkWritable(Path path) throws IOException {
    checkParent(path);
    checkRegularIfExists(path);
  }

  /**
   * Refuses path when it exists and is a symlink, FIFO, device or directory, or someone else's
   * file.
   */
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
    int owner = uid(path);
    if (owner != OUR_UID) {
      // planted in a shared directory such as /tmp: its owner could read what the agent appends
      throw new IOException(
          path
              + " belongs to uid "
              + owner
              + ", not to the agent; remove it or choose another path");
    }
  }

  /** Refuses a parent directory that group or others may write to (they could swap the file). */
  public static void checkParent(Path path) throws IOException {
    Path parent = path.toAbsolutePath().getParent();
    if (parent != null) {
      checkDirectory(parent);
    }
  }

  /**
   * Refuses a directory that someone else could change under the agent: the directory or any
   * directory above it writable by group or others (unless sticky, as /tmp, where others cannot
   * rename or remove what is not theirs), or owned by anyone but root or the agent.
   */
  public static void checkDirectory(Path dir) throws IOException {
    Path real = dir.toRealPath(); // the chain that is traversed now; each link's target is checked
    for (Path d = real; d != null; d = d.getParent()) {
      PosixFileAttributes a =
          Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      Set<PosixFilePermission> p = a.permissions();
      boolean shared =
          p.contains(PosixFilePermission.GROUP_WRITE)
              || p.contains(PosixFilePermission.OTHERS_WRITE);
      String which = d.equals(real) ? "directory " + d : "directory " + d + " (above " + dir + ")";
      if (shared && !sticky(d)) {
        throw new IOException(
            which
                + " is writable by group or others ("
                + PosixFilePermissions.toString(p)
                + "); use a directory only root can write to (chmod go-w)");
      }
      int owner = uid(d);
      if (owner != 0 && owner != OUR_UID) {
        throw new IOException(
            which
                + " belongs to uid "
                + owner
                + ", who could replace what is in it;"
                + " use a directory owned by root");
      }
    }
  }

  /**
   * Refuses a file the agent takes orders or secrets from (its configuration, TLS keys and
   * certificates) when someone else could have written it, as sshd's StrictModes does: owned by
   * anyone but root or the agent, writable by group or others, or in a directory someone else could
   * change. The agent runs as root: whoever can write its configuration owns it.
   */
  public static void checkTrusted(Path file) throws IOException {
    // a symlink on the way is checked too: the path is read again later, through the links
    Path abs = file.toAbsolutePath().normalize();
    for (Path p = abs; p != null; p = p.getParent()) {
      if (Files.isSymbolicLink(p)) {
        int owner = uid(p);
        if (owner != 0 && owner != OUR_UID) {
          throw new IOException(
              file
                  + ": the symlink "
                  + p
                  + " belongs to uid "
                  + owner
                  + ", who could point it elsewhere: use the file's real path");
        }
        checkDirectory(p.getParent());
      }
    }
    Path real = file.toRealPath();
    PosixFileAttributes a =
        Files.readAttributes(real, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!a.isRegularFile()) {
      throw new IOException(file + " is not a regular file");
    }
    Set<PosixFilePermission> p = a.permissions();
    if (p.contains(PosixFilePermission.GROUP_WRITE)
        || p.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new IOException(
          file
              + " is writable by group or others ("
              + PosixFilePermissions.toString(p)
              + "): run chmod go-w "
              + file);
    }
    int owner = uid(real);
    if (owner != 0 && owner != OUR_UID) {
      throw new IOException(
          file + " belongs to uid " + owner + ", not root: run chown root " + file);
    }
    checkDirectory(real.getParent());
  }

  private static final int OUR_UID = ourUid();

  /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"). */
  private static int ourUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return Integer.parseInt(line.substring(4).strip().split("\\s+")[1]);
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: nothing to compare
    }
    return 0;
  }

  private static int uid(Path p) throws IOException {
    try {
      return (Integer) Files.getAttribute(p, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      return 0; // no unix attributes: nothing to compare
    }
  }

  private static boolean sticky(Path dir) {
    try {
      return ((Integer) Files.getAttribute(dir, "unix:mode") & 01000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The checks {@link #createPrivateDirectory} makes, made without creating anything: dir is a
   * directory others cannot change, or, when it does not exist yet, the nearest one above it that
   * does is.
   */
  public static void checkPrivateDirectoryPossible(Path dir) throws IOException {
    Path abs = dir.toAbsolutePath().normalize();
    Path d = abs;
    while (d != null && !Files.exists(d, LinkOption.NOFOLLOW_LINKS)) {
      d = d.getParent();
    }
    if (d == null) {
      return;
    }
    if (d.equals(abs) && Files.isSymbolicLink(d)) {
      throw new IOException(dir + " is a symlink; give the directory's real path");
    }
    if (!Files.isDirectory(d)) {
      throw new IOException(
          (d.equals(abs) ? dir.toString() : d + " (above " + dir + ")")
              + " exists and is not a directory");
    }
    checkDirectory(d);
  }

  /** Creates dir (and parents) 0700 when missing, then checks it. */
  public static void createPrivateDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      Files.createDirectories(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    checkDirectory(dir);
  }
}
