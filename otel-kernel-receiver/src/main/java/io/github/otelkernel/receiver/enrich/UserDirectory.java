package io.github.otelkernel.receiver.enrich;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * uid and gid to names, from passwd and group files. Lookups read an immutable in-memory snapshot
 * and never touch the disk; {@link #refreshIfChanged()} (a background task) re-reads a file when it
 * is another file (inode), or its size, mtime or ctime changed, so renames after start-up are
 * picked up — also those that keep the size and land in the same millisecond. A missing file gives
 * no names; malformed lines are skipped.
 */
public final class UserDirectory {
  // Tools replace passwd by rename (new inode); editors write in place (new mtime/ctime).
  private record Stamp(long device, long inode, long size, long mtimeNanos, long ctimeNanos) {}

  private record Snapshot(Map<Long, String> names, Stamp stamp) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), null);
  }

  private static final long MAX_ID = 0xFFFF_FFFFL; // uid_t and gid_t are 32 bits

  private final Path passwd;
  private final Path group;
  private volatile Snapshot users = Snapshot.EMPTY;
  private volatile Snapshot groups = Snapshot.EMPTY;

  public UserDirectory() {
    this(Path.of("/etc/passwd"), Path.of("/etc/group"));
  }

  public UserDirectory(Path passwd, Path group) {
    this.passwd = passwd;
    this.group = group;
    refreshIfChanged();
  }

  public Optional<String> userName(long uid) {
    return Optional.ofNullable(users.names().get(uid));
  }

  public Optional<String> groupName(long gid) {
    return Optional.ofNullable(groups.names().get(gid));
  }

  /** Re-reads each file whose identity or timestamps changed; cheap (two stats) otherwise. */
  public synchronized void refreshIfChanged() {
    users = reload(passwd, users);
    groups = reload(group, groups);
  }

  private static Snapshot reload(Path file, Snapshot old) {
    Stamp stamp;
    try {
      // stamped before reading: a write during the read changes the stamp, so the next refresh
      // reads again
      stamp = stamp(file);
    } catch (NoSuchFileException gone) {
      return Snapshot.EMPTY;
    } catch (IOException | RuntimeException e) {
      return old; // unreadable now: keep the names we have, try again next time
    }
    if (stamp.equals(old.stamp())) {
      return old;
    }
    Map<Long, String> names = new HashMap<>();
    // InputStreamReader replaces bytes that are not UTF-8, so one Latin-1 GECOS field cannot
    // make the whole file unreadable
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        // name:password:id:… — the same layout in passwd and group
        String[] f = line.split(":", 4);
        if (f.length < 3 || f[0].isEmpty() || line.startsWith("#")) {
          continue;
        }
        try {
          long id = Long.parseUnsignedLong(f[2]); // no sign: "-1" or "+5" are malformed
          if (id <= MAX_ID) {
            names.putIfAbsent(id, f[0]); // the first entry wins, as in getpwuid(3)
          }
        } catch (NumberFormatException malformed) {
          // skipped
        }
      }
    } catch (NoSuchFileException gone) {
      return Snapshot.EMPTY;
    } catch (IOException | RuntimeException e) {
      return old;
    }
    return new Snapshot(Map.copyOf(names), stamp);
  }

  private static Stamp stamp(Path file) throws IOException {
    Map<String, Object> a = Files.readAttributes(file, "unix:dev,ino,size,lastModifiedTime,ctime");
    return new Stamp(
        (Long) a.get("dev"),
        (Long) a.get("ino"),
        (Long) a.get("size"),
        ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS),
        ((FileTime) a.get("ctime")).to(TimeUnit.NANOSECONDS));
  }
}
