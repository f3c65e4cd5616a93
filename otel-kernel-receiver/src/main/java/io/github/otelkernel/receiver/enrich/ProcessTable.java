package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the agent knows about every process on the host: seeded from /proc at start-up, then kept
 * current from fork, exec and exit events, so that each event can name its parent, its session
 * leader and its entry leader without a lookup. Only the poll thread touches it.
 *
 * <p>Bounded: at most {@code maxEntries} processes. Exited processes stay for a grace period (late
 * events of children still name them), then go; when the table is full the longest-exited go first,
 * then the oldest.
 */
public final class ProcessTable {
  /** Clock ticks per second of /proc/PID/stat start times (USER_HZ, 100 on every Linux ABI). */
  static final long TICK_NANOS = 10_000_000L;

  /** Longest command line kept per process for context: bounds the table's memory. */
  static final int MAX_COMMAND_LINE = 1024;

  /** One process. Mutable, owned by the table; handed out only to the poll thread. */
  public static final class Entry {
    final int pid;
    int ppid;
    final long startTicks;
    final String entityId;
    String executable = "";
    String executableName = ""; // executable's last part, cut once: every record of the process
    String commandLine = "";
    String comm = "";
    int sessionId;
    int namespacePid;
    long exitedAtNanos; // 0 while alive
    long charged; // bytes of executable and commandLine counted against the table's budget

    /**
     * The cgroup path, from the exec or inherited at fork: kept with the process, so a reused pid
     * gets none.
     */
    String cgroup = "";

    /**
     * The executable version this process runs and its hash; written by the hasher's callback,
     * hence volatile.
     */
    volatile ExecutableHasher.FileKey executableKey;

    volatile String executableHash;

    Entry(int pid, int ppid, long startTicks, String entityId) {
      this.pid = pid;
      this.ppid = ppid;
      this.startTicks = startTicks;
      this.entityId = entityId;
    }

    public int pid() {
      return pid;
    }

    public int ppid() {
      return ppid;
    }

    public String entityId() {
      return entityId;
    }

    public String executable() {
      return executable;
    }

    /** The executable's file name (its path's last part), or "" when the path is not known. */
    public String executableName() {
      return executableName;
    }

    public String commandLine() {
      return commandLine;
    }

    public String comm() {
      return comm;
    }

    public int sessionId() {
      return sessionId;
    }

    public int namespacePid() {
      return namespacePid;
    }

    /** Start time on the boot clock, at clock-tick resolution (what /proc and the kernel share). */
    public long startBootNanos() {
      return startTicks * TICK_NANOS;
    }

    public boolean exited() {
      return exitedAtNanos != 0;
    }

    public String cgroup() {
      return cgroup;
    }

    /** The name an analyst recognises: the executable's file name, else comm. */
    public String name() {
      return executable.isEmpty() ? comm : executable.substring(executable.lastIndexOf('/') + 1);
    }
  }

  private final String hostId;
  private final int maxEntries;
  private final long exitGraceNanos;
  private final long maxStringBytes;
  private long stringBytes;
  private long contextDropped;
  private final Map<Integer, Entry> byPid = new HashMap<>();

  /** Exited processes in exit order, for eviction. */
  private final LinkedHashMap<Integer, Entry> exited = new LinkedHashMap<>();

  /** Default budget of the strings the table keeps (executables and command lines, UTF-16). */
  public static final long DEFAULT_MAX_STRING_BYTES = 16L << 20;

  public ProcessTable(String hostId, int maxEntries, long exitGraceNanos) {
    this(hostId, maxEntries, exitGraceNanos, DEFAULT_MAX_STRING_BYTES);
  }

  /**
   * @param maxEntries processes kept; each costs a fixed ~250 bytes besides its strings
   * @param maxStringBytes bytes of executables and command lines kept in all: past it exited
   *     processes go first, then new processes are kept without them (counted: contextDropped)
   */
  public ProcessTable(String hostId, int maxEntries, long exitGraceNanos, long maxStringBytes) {
    this.maxStringBytes = maxStringBytes;
    this.hostId = hostId;
    this.maxEntries = maxEntries;
    this.exitGraceNanos = exitGraceNanos;
  }

  /**
   * ECS-style process.entity_id: stable across pid reuse, the same for every event of one process.
   */
  public String entityId(int pid, long startBootNanos) {
    return entityIdOfTicks(pid, startBootNanos / TICK_NANOS);
  }

  private String entityIdOfTicks(int pid, long startTicks) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] d =
          sha.digest((hostId + "/" + pid + "/" + startTicks).getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 15));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public Optional<Entry> get(int pid) {
    return Optional.ofNullable(byPid.get(pid));
  }

  public List<Integer> pids() {
    return List.copyOf(byPid.keySet());
  }

  public int size() {
    return byPid.size();
  }

  /**
   * The entry for this pid and start time, created when missing or when the pid was reused by a
   * newer process.
   */
  public Entry upsert(int pid, int ppid, long startBootNanos) {
    long ticks = startBootNanos / TICK_NANOS;
    Entry e = byPid.get(pid);
    if (e == null || e.startTicks != ticks) {
      if (e != null) {
        exited.remove(pid);
        release(e);
      }
      makeRoom();
      e = new Entry(pid, ppid, ticks, entityIdOfTicks(pid, ticks));
      byPid.put(pid, e);
    } else {
      e.ppid = ppid; // re-parenting after the parent exited
    }
    return e;
  }

  /** A new process: until it execs it runs its parent's program. */
  public Entry onFork(int pid, int ppid, long startBootNanos, String comm) {
    Entry child = upsert(pid, ppid, startBootNanos);
    Entry parent = byPid.get(ppid);
    if (parent != null) {
      setContext(child, parent.executable, parent.commandLine);
      child.sessionId = parent.sessionId;
    }
    child.comm = comm;
    return child;
  }

  public Entry onExec(
      int pid, int ppid, long startBootNanos, String executable, List<String> args, String comm) {
    Entry e = upsert(pid, ppid, startBootNanos);
    setContext(e, executable, cap(String.join(" ", args)));
    e.comm = comm;
    return e;
  }

  public void onExit(int pid, long startBootNanos, long nowNanos) {
    Entry e = byPid.get(pid);
    if (e != null && e.startTicks == startBootNanos / TICK_NANOS) {
      e.exitedAtNanos = nowNanos;
      exited.put(pid, e);
    }
    expire(nowNanos);
  }

  /** Drops exited processes whose grace period is over. */
  public void expire(long nowNanos) {
    for (Iterator<Entry> it = exited.values().iterator(); it.hasNext(); ) {
      Entry e = it.next();
      if (nowNanos - e.exitedAtNanos < exitGraceNanos) {
        break; // in exit order: the rest are younger
      }
      it.remove();
      if (byPid.remove(e.pid, e)) {
        release(e);
      }
    }
  }

  /**
   * Sets what the table remembers of a process's program, within the byte budget: an exec storm of
   * long command lines must not grow the heap without bound.
   */
  private void setContext(Entry e, String executable, String commandLine) {
    String name = executable.substring(executable.lastIndexOf('/') + 1);
    long size = 2L * (executable.length() + name.length() + commandLine.length());
    release(e);
    for (Iterator<Entry> it = exited.values().iterator();
        stringBytes + size > maxStringBytes && it.hasNext(); ) {
      Entry victim = it.next(); // exited processes are the first to go, oldest first
      if (victim == e) {
        continue;
      }
      it.remove();
      if (byPid.remove(victim.pid, victim)) {
        release(victim);
      }
    }
    if (stringBytes + size > maxStringBytes) {
      e.executable = "";
      e.executableName = "";
      e.commandLine = "";
      contextDropped++;
      return;
    }
    e.executable = executable;
    e.executableName = name;
    e.commandLine = commandLine;
    e.charged = size;
    stringBytes += size;
  }

  private void release(Entry e) {
    stringBytes -= e.charged;
    e.charged = 0;
  }

  /** Bytes of executables and command lines the table holds. */
  public long stringBytes() {
    return stringBytes;
  }

  /** Processes kept without their executable and command line because the byte budget was spent. */
  public long contextDropped() {
    return contextDropped;
  }

  private void makeRoom() {
    while (byPid.size() >= maxEntries) {
      Iterator<Entry> it = exited.values().iterator();
      Entry victim;
      if (it.hasNext()) {
        victim = it.next();
        it.remove();
      } else { // no exited process left: the oldest living one goes (its events lose context)
        victim =
            byPid.values().stream()
                .min((a, b) -> Long.compare(a.startTicks, b.startTicks))
                .orElseThrow();
      }
      if (byPid.remove(victim.pid, victim)) {
        release(victim);
      }
    }
  }

  private static String cap(String commandLine) {
    return commandLine.length() <= MAX_COMMAND_LINE
        ? commandLine
        : commandLine.substring(0, MAX_COMMAND_LINE - 1) + "…";
  }

  /** Ancestors from the parent up, at most {@code max}, stopping at unknown processes or a loop. */
  public List<Entry> ancestors(Entry e, int max) {
    List<Entry> out = new ArrayList<>();
    Entry cur = e;
    while (out.size() < max) {
      Entry parent = cur.ppid == cur.pid ? null : byPid.get(cur.ppid);
      if (parent == null || out.contains(parent) || parent == e) {
        break;
      }
      out.add(parent);
      cur = parent;
    }
    return out;
  }

  /** What /proc says of one process that started before the agent. */
  public record Seed(
      int pid,
      int ppid,
      int sessionId,
      long startTicks,
      String comm,
      String executable,
      String commandLine,
      String cgroup) {}

  /** Bytes of /proc/PID/cmdline read: the table keeps MAX_COMMAND_LINE characters of it. */
  static final int MAX_CMDLINE_BYTES = 4 * MAX_COMMAND_LINE;

  /** Reads every process in /proc and applies it at once (tests; the agent uses ProcSeeder). */
  public int seed(Path proc) {
    int n = 0;
    for (Path dir : ProcSeeder.processDirs(proc)) {
      Optional<Seed> s = readSeed(dir);
      if (s.isPresent() && apply(s.get())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Reads one /proc/PID directory, each file bounded; empty when the process is gone. Blocking I/O:
   * a process can make its cmdline read wait (its mm lock), so the agent calls this off the poll
   * thread, with a deadline.
   */
  public static Optional<Seed> readSeed(Path dir) {
    try {
      String stat = Files.readString(dir.resolve("stat"));
      // comm may contain spaces and parentheses: fields start after the last ')'
      int close = stat.lastIndexOf(')');
      String comm = stat.substring(stat.indexOf('(') + 1, close);
      String[] f = stat.substring(close + 2).split(" ");
      int pid = Integer.parseInt(dir.getFileName().toString());
      String exe;
      try {
        exe =
            Files.readSymbolicLink(dir.resolve("exe"))
                .toString()
                .replaceFirst(" \\(deleted\\)$", "");
      } catch (IOException | UnsupportedOperationException noExe) {
        exe = ""; // kernel threads
      }
      byte[] cmdline;
      try (var in = Files.newInputStream(dir.resolve("cmdline"))) {
        cmdline = in.readNBytes(MAX_CMDLINE_BYTES);
      }
      List<String> args = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < cmdline.length; i++) {
        if (cmdline[i] == 0) {
          args.add(new String(cmdline, start, i - start, StandardCharsets.UTF_8));
          start = i + 1;
        }
      }
      if (start < cmdline.length) {
        args.add(new String(cmdline, start, cmdline.length - start, StandardCharsets.UTF_8));
      }
      String cgroup = "";
      try (var lines = Files.lines(dir.resolve("cgroup"))) {
        cgroup =
            lines.filter(l -> l.startsWith("0::")).findFirst().map(l -> l.substring(3)).orElse("");
      } catch (IOException | java.io.UncheckedIOException noCgroup) {
        // exited meanwhile, or no cgroup v2
      }
      return Optional.of(
          new Seed(
              pid,
              Integer.parseInt(f[1]),
              Integer.parseInt(f[3]),
              Long.parseLong(f[19]),
              comm,
              exe,
              cap(String.join(" ", args)),
              cgroup));
    } catch (IOException | RuntimeException gone) {
      return Optional.empty(); // exited while we looked
    }
  }

  /**
   * Adds what /proc said unless events already said more: an entry of another start time is a newer
   * process with that pid, and fields an exec filled in are newer than the snapshot. Returns
   * whether the seed was used.
   */
  public boolean apply(Seed s) {
    Entry e = byPid.get(s.pid());
    if (e != null && e.startTicks != s.startTicks()) {
      return false;
    }
    if (e == null) {
      e = upsert(s.pid(), s.ppid(), s.startTicks() * TICK_NANOS);
    }
    if (e.comm.isEmpty()) {
      e.comm = s.comm();
    }
    if (e.sessionId == 0) {
      e.sessionId = s.sessionId();
    }
    if (e.executable.isEmpty() && e.commandLine.isEmpty()) {
      setContext(e, s.executable(), s.commandLine());
    }
    return true;
  }
}
