package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * uid and gid to names, from passwd and group files. Lookups read an immutable in-memory snapshot
 * and never touch the disk; {@link #refreshIfChanged()} (a background task) re-reads a file when
 * its size or modification time changed, so renames after start-up are picked up.
 */
public final class UserDirectory {
  private record Snapshot(Map<Long, String> names, long size, long mtime) {
    static final Snapshot EMPTY = new Snapshot(Map.of(), -1, -1);
  }

  private final Path passwd;
  private final Path group;
  private volatile Snapshot users = Snapshot.EMPTY;
  private volatile Snapshot groups = Snapshot.EMPTY;

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

  public synchronized void refreshIfChanged() {
    users = reload(passwd, users);
    groups = reload(group, groups);
  }

  private static Snapshot reload(Path file, Snapshot old) {
    try {
      BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
      long size = attrs.size();
      long mtime = attrs.lastModifiedTime().toMillis();
      if (size == old.size() && mtime == old.mtime()) {
        return old;
      }
      Map<Long, String> names = new HashMap<>();
      for (String line : Files.readAllLines(file)) {
        // name:password:id:… — the same layout in passwd and group
        String[] f = line.split(":", 4);
        if (f.length < 3 || f[0].isEmpty() || line.startsWith("#")) {
          continue;
        }
        try {
          names.putIfAbsent(Long.parseLong(f[2]), f[0]);
        } catch (NumberFormatException malformed) {
          // skipped
        }
      }
      return new Snapshot(Map.copyOf(names), size, mtime);
    } catch (IOException | RuntimeException e) {
      return Snapshot.EMPTY; // missing or unreadable: no names, no error
    }
  }
}
