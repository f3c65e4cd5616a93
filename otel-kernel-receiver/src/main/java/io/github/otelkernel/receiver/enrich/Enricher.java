package io.github.otelkernel.receiver.enrich;

import io.github.otelkernel.receiver.decode.KernelEvent;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExec;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessExit;
import io.github.otelkernel.receiver.decode.KernelEvent.ProcessFork;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.enrich.ProcessContext.EntryLeader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Gives each kernel event its context: process lineage, leaders, names, container, namespaces,
 * executable hash. Runs on the poll thread; everything it consults is in memory (the process table,
 * user and group snapshots, caches). File hashing and database refreshes run elsewhere.
 */
public final class Enricher {
  private static final Set<String> SSH = Set.of("sshd", "sshd-session", "dropbear");
  private static final Set<String> TERMINAL = Set.of("login", "agetty", "getty", "mingetty");
  private static final Set<String> CRON = Set.of("cron", "crond", "atd", "anacron");
  private static final Set<String> CONTAINER =
      Set.of(
          "containerd-shim",
          "containerd-shim-runc-v2",
          "conmon",
          "runc",
          "crun",
          "docker-init",
          "tini");

  private final ProcessTable table;
  private final UserDirectory users;
  private final ExecutableHasher hasher;
  private final long hostPidNs;
  private final long hostMntNs;
  private final java.util.function.Consumer<LateHash> lateHashSink;

  /** A hash that arrived after its process.exec record left. */
  public record LateHash(int pid, String entityId, String executable, String sha256) {}

  public Enricher(
      ProcessTable table,
      UserDirectory users,
      ExecutableHasher hasher,
      java.util.function.Consumer<LateHash> lateHashes) {
    this.table = table;
    this.users = users;
    this.hasher = hasher;
    // the host's namespaces are pid 1's; where pid 1 is shielded, the agent's own (it runs on the
    // host)
    this.hostPidNs = namespaceInode("/proc/1/ns/pid", "/proc/self/ns/pid");
    this.hostMntNs = namespaceInode("/proc/1/ns/mnt", "/proc/self/ns/mnt");
    this.lateHashSink = lateHashes;
  }

  /** "pid:[4026531836]" → 4026531836, from the first readable link; 0 when none is. */
  static long namespaceInode(String... links) {
    for (String link : links) {
      try {
        String target = Files.readSymbolicLink(Path.of(link)).toString();
        return Long.parseLong(target.substring(target.indexOf('[') + 1, target.indexOf(']')));
      } catch (IOException | RuntimeException e) {
        // next
      }
    }
    return 0;
  }

  /** Seeds the table and the cgroup cache from /proc: processes that started before the agent. */
  /** A process read from /proc; on the poll thread. Events seen before it win. */
  public boolean applySeed(ProcessTable.Seed s) {
    if (!table.apply(s)) {
      return false;
    }
    table.get(s.pid()).filter(e -> e.cgroup.isEmpty()).ifPresent(e -> e.cgroup = s.cgroup());
    return true;
  }

  /** A process the table knows (alive, or exited within the grace period). */
  public Optional<ProcessTable.Entry> process(int pid) {
    return table.get(pid);
  }

  public ProcessContext enrich(KernelEvent event) {
    ProcessInfo p = event.process();
    ProcessTable.Entry self =
        switch (event) {
          case ProcessFork f -> {
            ProcessTable.Entry child =
                table.onFork(p.pid(), p.parentPid(), p.startBootNanos(), p.comm().text());
            // the parent's, or none: never what an earlier process with this pid had (its exit
            // lost)
            child.cgroup = table.get(p.parentPid()).map(ProcessTable.Entry::cgroup).orElse("");
            yield child;
          }
          case ProcessExec x -> {
            ProcessTable.Entry e =
                table.onExec(
                    p.pid(),
                    p.parentPid(),
                    p.startBootNanos(),
                    x.executablePath().text(),
                    x.args().stream().map(RawBytes::text).toList(),
                    p.comm().text());
            if (!x.cgroupPath().isEmpty()) {
              e.cgroup = x.cgroupPath().text();
            }
            e.executableHash = null; // a new program: the old hash is not its own
            e.executableKey = null;
            yield e;
          }
          case ProcessExit x -> table.upsert(p.pid(), p.parentPid(), p.startBootNanos());
          case SysCall s -> table.upsert(p.pid(), p.parentPid(), p.startBootNanos());
        };
    self.sessionId = p.sessionId();
    self.namespacePid = p.namespacePid();
    if (self.comm.isEmpty()) {
      self.comm = p.comm().text();
    }

    Optional<String> sha = Optional.ofNullable(self.executableHash);
    if (event instanceof ProcessExec x && x.executable().known() && !x.executablePath().isEmpty()) {
      sha = requestHash(x, self);
    }
    String cgroup = self.cgroup;
    var creds = p.credentials();
    ProcessContext ctx =
        new ProcessContext(
            self,
            table.get(p.parentPid()),
            p.sessionId() > 0 ? table.get(p.sessionId()) : Optional.empty(),
            entryLeader(self),
            users.userName(creds.euid()),
            users.userName(creds.uid()),
            users.groupName(creds.egid()),
            users.groupName(creds.gid()),
            creds.hasLoginUid() ? users.userName(creds.loginUid()) : Optional.empty(),
            cgroup,
            cgroup.isEmpty() ? Optional.empty() : ContainerIds.parse(cgroup),
            hostPidNs == 0 || p.pidNamespace() == hostPidNs,
            hostMntNs == 0 || p.mountNamespace() == hostMntNs,
            sha);
    if (event instanceof ProcessExit) {
      table.onExit(p.pid(), p.startBootNanos(), p.bootNanos());
    }
    return ctx;
  }

  private Optional<String> requestHash(ProcessExec x, ProcessTable.Entry self) {
    var id = x.executable();
    var key = new ExecutableHasher.FileKey(id.device(), id.inode(), id.size(), id.mtimeNanos());
    self.executableKey = key;
    Optional<String> cached = hasher.cached(key);
    if (cached.isPresent()) {
      self.executableHash = cached.get();
      return cached;
    }
    int pid = self.pid();
    String entityId = self.entityId();
    String exe = x.executablePath().text();
    // /proc/PID/exe opens the file that was executed, even if it was replaced or deleted since;
    // once the process is gone, the path still has it if the identity matches
    hasher.request(
        key,
        List.of(Path.of("/proc/" + pid + "/exe"), Path.of(exe)),
        (k, sha) ->
            sha.ifPresent(
                h -> {
                  if (k.equals(self.executableKey)) { // not exec'd again meanwhile
                    self.executableHash = h;
                  }
                  lateHashSink.accept(new LateHash(pid, entityId, exe, h));
                }));
    return Optional.empty();
  }

  /**
   * The first process of the way into the host this one came through: itself or the nearest
   * ancestor that is a container's init, a child of sshd/login/cron/a container runtime, or a
   * service started by init.
   */
  Optional<EntryLeader> entryLeader(ProcessTable.Entry self) {
    ProcessTable.Entry cur = self;
    for (int depth = 0; depth < 64 && cur != null; depth++) {
      String type = entryType(cur);
      if (type != null) {
        return Optional.of(new EntryLeader(cur, type));
      }
      cur = cur.ppid == cur.pid ? null : table.get(cur.ppid).orElse(null);
    }
    return Optional.empty();
  }

  private String entryType(ProcessTable.Entry e) {
    if (e.pid == 1) {
      return "init";
    }
    if (e.namespacePid == 1) {
      return "container";
    }
    if (e.ppid <= 1) {
      return e.ppid == 1 ? "service" : "init";
    }
    Optional<ProcessTable.Entry> parent = table.get(e.ppid);
    if (parent.isEmpty()) {
      return null;
    }
    String name = parent.get().name();
    if (SSH.contains(name)) {
      return "sshd";
    }
    if (TERMINAL.contains(name)) {
      return "terminal";
    }
    if (CRON.contains(name)) {
      return "cron";
    }
    if (CONTAINER.contains(name)) {
      return "container";
    }
    return null;
  }
}
