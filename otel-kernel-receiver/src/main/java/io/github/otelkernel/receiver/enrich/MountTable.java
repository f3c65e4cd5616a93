package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's mounts, from /proc/self/mountinfo, to tell which files are served by FUSE before
 * touching them. A FUSE server is a process, possibly an unprivileged user's: once it has taken a
 * request it can leave the caller in uninterruptible sleep for ever, and a JVM with one thread in
 * that state cannot exit. So the hasher reads nothing a FUSE server answers for.
 */
final class MountTable {
  record Mount(int id, String mountPoint, String fsType) {
    boolean fuse() {
      return fsType.equals("fuse") || fsType.equals("fuseblk") || fsType.startsWith("fuse.");
    }
  }

  private final Path mountinfo;
  private final Path fdinfo;
  private volatile Map<Integer, Mount> byId = Map.of();
  private volatile List<Mount> fuseMounts = List.of();

  MountTable(Path proc) {
    this.mountinfo = proc.resolve("self/mountinfo");
    this.fdinfo = proc.resolve("self/fdinfo");
    refresh();
  }

  /**
   * Whether the descriptor (an O_PATH one will do) is on a FUSE mount; unknown mounts count as
   * FUSE.
   */
  boolean onFuse(int fd) {
    int id;
    try {
      id =
          mountId(
              Files.readString(fdinfo.resolve(Integer.toString(fd)), StandardCharsets.US_ASCII));
    } catch (IOException | RuntimeException e) {
      return true; // cannot tell: do not read
    }
    // read afresh: mount ids are reused at once, so a remembered one may name another mount now;
    // the open descriptor pins its mount, so the id cannot change between this read and the use
    refresh();
    Mount m = byId.get(id);
    return m == null || m.fuse();
  }

  /**
   * Whether resolving this absolute path would pass through a FUSE mount (a lookup there can hang
   * too). Reads the mounts afresh each time: a mount made a moment ago counts, and this is asked
   * only for processes that exited before their hash (the live ones go through /proc/PID/exe).
   */
  boolean pathCrossesFuse(String path) {
    refresh();
    for (Mount m : fuseMounts) {
      String mp = m.mountPoint();
      if (path.startsWith(mp)
          && (path.length() == mp.length()
              || mp.endsWith("/")
              || path.charAt(mp.length()) == '/')) {
        return true;
      }
    }
    return false;
  }

  private synchronized void refresh() {
    Map<Integer, Mount> ids = new HashMap<>();
    List<Mount> fuse = new java.util.ArrayList<>();
    try {
      for (String line : Files.readAllLines(mountinfo, StandardCharsets.UTF_8)) {
        Mount m = parse(line);
        if (m != null) {
          ids.put(m.id(), m);
          if (m.fuse()) {
            fuse.add(m);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return; // keep what was known
    }
    byId = Map.copyOf(ids);
    fuseMounts = List.copyOf(fuse);
  }

  /** "36 35 98:0 /root /mnt/x rw,noatime master:1 - ext3 /dev/root rw": id, mount point, type. */
  static Mount parse(String line) {
    String[] f = line.split(" ");
    int sep = java.util.Arrays.asList(f).indexOf("-");
    if (f.length < 5 || sep < 0 || sep + 1 >= f.length) {
      return null;
    }
    return new Mount(Integer.parseInt(f[0]), unescape(f[4]), f[sep + 1]);
  }

  /** Mount points escape space, tab, newline and backslash as \ooo. */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 4 <= s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        sb.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  static int mountId(String fdinfoText) {
    for (String line : fdinfoText.split("\n")) {
      if (line.startsWith("mnt_id:")) {
        return Integer.parseInt(line.substring(7).strip());
      }
    }
    throw new IllegalArgumentException("no mnt_id");
  }
}
