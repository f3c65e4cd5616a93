package io.github.otelkernel.receiver.policy;

import static io.github.otelkernel.receiver.probe.MapLayout.*;

import io.github.otelkernel.receiver.config.PolicyConfig.ProcessRules;
import io.github.otelkernel.receiver.decode.Capabilities;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.PrctlOptions;
import io.github.otelkernel.receiver.probe.BpfProbes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Writes a {@link Policy} into the probes' maps (ebpf-probes/src/lib/policy.h), while they run: new
 * entries first, then the stale ones removed, so a reload never opens a gap wider than one entry.
 * Names are resolved here, once: executables to (device, inode), cgroup paths to ids (the kernel
 * applies a cgroup's rule to the cgroups below it, made later included), "/home/*&#47;.ssh/" to
 * each home directory.
 */
public final class PolicyCompiler {
  private static final Logger LOG = Logger.getLogger(PolicyCompiler.class.getName());
  static final int TYPE_ENABLED = 1;
  static final int TYPE_DEFAULT_KEEP = 2;
  static final int RULE_IGNORE = 1;
  static final int RULE_WATCH = 2;
  static final int WATCH_UIDS = 1;
  static final int WATCH_CGROUPS = 2;
  static final int WATCH_EXES = 4;
  static final int HAS_EXE_RULES = 8;
  static final int HAS_CGROUP_RULES = 16;
  static final int CAPTURE_ENV = 32;

  private final BpfProbes probes;
  private final int agentPid;
  private final Path cgroupRoot;
  private final Path root;

  /**
   * @param root where host paths are looked up (normally "/"), so the glob and stat logic is
   *     testable
   */
  public PolicyCompiler(BpfProbes probes, int agentPid, Path cgroupRoot, Path root) {
    this.probes = probes;
    this.agentPid = agentPid;
    this.cgroupRoot = cgroupRoot;
    this.root = root;
  }

  /** What a compile wrote, for the log line and the tests. */
  public record Summary(
      int enabledTypes,
      int prefixes,
      int uidRules,
      int cgroupRules,
      int exeRules,
      List<String> unresolved) {}

  /**
   * What the last apply wrote, per map: the state the maps must stay in. exact: the map holds these
   * entries and no others (hash and LPM maps); otherwise only these keys are ours (arrays).
   */
  private record Written(
      int keySize, boolean exact, Map<String, byte[]> keys, Map<String, byte[]> values) {}

  private final Map<String, Written> written = new LinkedHashMap<>();

  /** Entries found changed by someone else and written back, per map, by one verify. */
  public record Restored(Map<String, Integer> byMap) {
    public int total() {
      return byMap.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  /**
   * Compares the maps with what the last apply wrote and writes back whatever differs: anyone with
   * CAP_BPF can change a map by id (bpftool map update), and the maps are otherwise written only at
   * start and on SIGHUP, so one changed entry would blind the agent for good.
   */
  public synchronized Restored verifyAndRestore() {
    Map<String, Integer> fixed = new LinkedHashMap<>();
    for (var e : written.entrySet()) {
      try {
        restore(e.getKey(), e.getValue(), fixed);
      } catch (RuntimeException failure) {
        LOG.warning(
            "policy check of "
                + e.getKey()
                + ": "
                + failure.getMessage()); // the other maps still get theirs
      }
    }
    return new Restored(Map.copyOf(fixed));
  }

  private void restore(String map, Written w, Map<String, Integer> fixed) {
    {
      int fd = probes.mapFd(map);
      Set<String> present = new HashSet<>();
      for (byte[] k : probes.mapKeys(fd, w.keySize())) {
        String hex = HEX.formatHex(k);
        present.add(hex);
        if (w.exact() && !w.values().containsKey(hex)) {
          probes.mapDelete(fd, k); // an entry we never wrote: an exclusion someone slipped in
          fixed.merge(map, 1, Integer::sum);
        }
      }
      for (var entry : w.values().entrySet()) {
        byte[] key = w.keys().get(entry.getKey());
        // an LPM lookup returns the longest matching prefix: the key must be there exactly first
        boolean same =
            present.contains(entry.getKey())
                && probes
                    .mapLookup(fd, key, entry.getValue().length)
                    .map(v -> Arrays.equals(v, entry.getValue()))
                    .orElse(false);
        if (!same) {
          write(fd, map, key, entry.getValue());
          fixed.merge(map, 1, Integer::sum);
        }
      }
    }
  }

  private static final java.util.HexFormat HEX = java.util.HexFormat.of();

  /** The process group of a process (/proc/PID/stat's fifth field), or 0 when it cannot be read. */
  static int processGroup(int pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Integer.parseInt(f[2]);
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * Notes the agent's threads in agent_threads, so that a signal or ptrace aimed at any of them is
   * known to aim at the agent. Threads made later are added by the fork probe; called after the
   * probes are attached (so none falls between), and again at each check (an entry someone deleted
   * comes back).
   */
  public synchronized void registerAgentThreads() {
    int fd = probes.mapFd("agent_threads");
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + agentPid + "/task"))) {
      for (Path t : tasks.toList()) {
        int tid = Integer.parseInt(t.getFileName().toString());
        if (tid != agentPid) {
          byte[] key = le(THREAD_KEY_SIZE).putInt(tid).array();
          write(fd, "agent_threads", key, mark());
          // gone since the listing: its exit probe may have run already, and a later process with
          // this pid must not pass for the agent
          if (!Files.exists(t)) {
            probes.mapDelete(fd, key);
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.warning(
          "cannot list the agent's threads: "
              + e.getMessage()
              + " (signals and ptrace aimed at them then pass through the senders' rules)");
    }
  }

  /**
   * Notes the agent's own maps, programs and links in agent_objects, so that another process's
   * bpf(2) call on one of them is reported. Kept like the policy: an entry deleted comes back at
   * the next check (and the delete itself is reported, being a call on an agent map).
   */
  public synchronized void registerAgentObjects(List<BpfProbes.ObjectId> objects) {
    Map<byte[], byte[]> entries = new LinkedHashMap<>();
    for (BpfProbes.ObjectId o : objects) {
      entries.put(
          le(OBJECT_KEY_SIZE)
              .putInt(OBJECT_KEY_KIND, o.kind().number())
              .putInt(OBJECT_KEY_ID, o.id())
              .array(),
          mark());
    }
    sync("agent_objects", OBJECT_KEY_SIZE, entries);
  }

  /**
   * What an apply in progress writes; it becomes {@code written} only once the whole apply
   * succeeded.
   */
  private Map<String, Written> pending;

  private void remember(String map, int keySize, boolean exact, Map<byte[], byte[]> entries) {
    Map<String, Written> into = pending != null ? pending : written;
    Written w =
        into.computeIfAbsent(
            map, m -> new Written(keySize, exact, new LinkedHashMap<>(), new LinkedHashMap<>()));
    if (exact) {
      w.keys().clear();
      w.values().clear();
    }
    entries.forEach(
        (k, v) -> {
          w.keys().put(HEX.formatHex(k), k.clone());
          w.values().put(HEX.formatHex(k), v.clone());
        });
  }

  /**
   * Writes the policy. On a failure the maps may hold part of it, and what verifyAndRestore keeps
   * them to is still the previous policy, which the caller keeps in force.
   */
  public synchronized Summary apply(Policy policy) {
    pending = new LinkedHashMap<>();
    written.forEach(
        (k, w) ->
            pending.put(
                k,
                new Written(
                    w.keySize(),
                    w.exact(),
                    new LinkedHashMap<>(w.keys()),
                    new LinkedHashMap<>(w.values()))));
    try {
      Summary s = applyAll(policy);
      written.clear();
      written.putAll(pending);
      return s;
    } finally {
      pending = null;
    }
  }

  private Summary applyAll(Policy policy) {
    List<String> unresolved = new ArrayList<>();
    // per-process rules first, so that a type switched on below already sees them
    Map<byte[], byte[]> uids = new LinkedHashMap<>();
    Map<byte[], byte[]> cgroups = new LinkedHashMap<>();
    Map<byte[], byte[]> exes = new LinkedHashMap<>();
    rules(policy.ignore(), RULE_IGNORE, uids, cgroups, exes, unresolved);
    rules(policy.watch(), RULE_WATCH, uids, cgroups, exes, unresolved);
    sync("uid_rules", UID_KEY_SIZE, uids);
    sync("cgroup_rules", CGROUP_KEY_SIZE, cgroups);
    sync("exe_rules", EXE_KEY_SIZE, exes);

    Map<byte[], byte[]> ports = new LinkedHashMap<>();
    for (int port : policy.udpPorts()) {
      ports.put(le(PORT_KEY_SIZE).putShort((short) port).array(), mark());
    }
    sync("udp_ports", PORT_KEY_SIZE, ports);

    Map<byte[], byte[]> envNames = new LinkedHashMap<>();
    for (String name : policy.envVars()) {
      byte[] key = new byte[ENV_KEY_SIZE]; // zero-padded, as the probe builds it from the variable
      byte[] bytes = name.getBytes(StandardCharsets.US_ASCII);
      System.arraycopy(bytes, 0, key, 0, bytes.length);
      envNames.put(key, mark());
    }
    sync("env_names", ENV_KEY_SIZE, envNames);

    Map<String, long[]> prefixes = prefixRules(policy);
    Map<byte[], byte[]> lpm = new LinkedHashMap<>();
    prefixes.forEach(
        (prefix, masks) -> {
          byte[] bytes = prefix.getBytes(StandardCharsets.UTF_8);
          ByteBuffer k = le(PATH_KEY_SIZE).putInt(PATH_KEY_PREFIXLEN, bytes.length * 8);
          k.put(PATH_KEY_DATA, bytes, 0, Math.min(bytes.length, PATH_PREFIX_MAX));
          lpm.put(
              k.array(),
              le(PATH_RULE_SIZE)
                  .putLong(PATH_RULE_MENTIONED, masks[0])
                  .putLong(PATH_RULE_INCLUDED, masks[1])
                  .array());
        });
    sync("path_rules", PATH_KEY_SIZE, lpm);

    int flags = 0;
    if (!policy.watch().uids().isEmpty()) {
      flags |= WATCH_UIDS;
    }
    if (!policy.watch().cgroups().isEmpty()) {
      flags |= WATCH_CGROUPS;
    }
    if (!policy.watch().executables().isEmpty()) {
      flags |= WATCH_EXES;
    }
    if (!exes.isEmpty() || (flags & WATCH_EXES) != 0) {
      flags |= HAS_EXE_RULES;
    }
    if (!cgroups.isEmpty() || (flags & WATCH_CGROUPS) != 0) {
      flags |= HAS_CGROUP_RULES;
    }
    if (!envNames.isEmpty()) {
      flags |= CAPTURE_ENV;
    }
    long prctl = 0;
    for (String name : policy.prctlOptions()) {
      prctl |= 1L << PrctlOptions.number(name);
    }
    long caps = 0;
    for (String name : policy.capabilities()) {
      caps |= 1L << Capabilities.number(name);
    }
    write(
        "policy_global",
        le(GLOBAL_KEY_SIZE).putInt(0).array(),
        le(GLOBAL_SIZE)
            .putInt(GLOBAL_AGENT_PID, agentPid)
            .putInt(GLOBAL_FLAGS, flags)
            .putLong(GLOBAL_PRCTL_OPTIONS, prctl)
            .putLong(GLOBAL_CAP_MASK, caps)
            .putInt(GLOBAL_AGENT_PGID, processGroup(agentPid))
            .array());

    int enabled = 0;
    for (EventType t : EventType.values()) {
      if (!t.isSyscall()) {
        continue;
      }
      Policy.TypePolicy tp = policy.type(t);
      int v = (tp.enabled() ? TYPE_ENABLED : 0) | (tp.defaultKeep() ? TYPE_DEFAULT_KEEP : 0);
      enabled += tp.enabled() ? 1 : 0;
      write(
          "policy_types",
          le(TYPES_KEY_SIZE).putInt(t.id()).array(),
          le(TYPES_VALUE_SIZE).putInt(v).array());
    }
    for (String u : unresolved) {
      LOG.warning("policy: " + u);
    }
    return new Summary(
        enabled, lpm.size(), uids.size(), cgroups.size(), exes.size(), List.copyOf(unresolved));
  }

  /**
   * Every prefix any file type names, with per-type masks: bit t of "mentioned" when some prefix of
   * this one (itself included) is named by type t, bit t of "included" when the longest such prefix
   * is one of t's includes. The kernel's LPM lookup finds the longest prefix of a path; these masks
   * make that one entry answer for every type.
   */
  Map<String, long[]> prefixRules(Policy policy) {
    Map<EventType, Set<String>> inc = new LinkedHashMap<>();
    Map<EventType, Set<String>> exc = new LinkedHashMap<>();
    Set<String> all = new TreeSet<>();
    for (EventType t : EventType.values()) {
      Policy.TypePolicy tp = policy.type(t);
      if (!tp.enabled()) {
        continue;
      }
      Set<String> i = expand(tp.include());
      Set<String> e = expand(tp.exclude());
      inc.put(t, i);
      exc.put(t, e);
      all.addAll(i);
      all.addAll(e);
    }
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String p : all) {
      long mentioned = 0;
      long included = 0;
      for (EventType t : inc.keySet()) {
        String best = null;
        for (String q : union(inc.get(t), exc.get(t))) {
          if (p.startsWith(q) && (best == null || q.length() > best.length())) {
            best = q;
          }
        }
        if (best != null) {
          mentioned |= 1L << t.id();
          if (inc.get(t).contains(best)) {
            included |= 1L << t.id();
          }
        }
      }
      out.put(p, new long[] {mentioned, included});
    }
    return out;
  }

  private static Set<String> union(Set<String> a, Set<String> b) {
    Set<String> u = new HashSet<>(a);
    u.addAll(b);
    return u;
  }

  /** "/home/*&#47;.ssh/" → one prefix per directory under /home; other prefixes as they are. */
  Set<String> expand(List<String> prefixes) {
    Set<String> out = new TreeSet<>();
    for (String p : prefixes) {
      int star = p.indexOf("/*/");
      if (star < 0) {
        out.add(p);
        continue;
      }
      String parent = p.substring(0, star);
      String rest = p.substring(star + 3);
      Path dir = root.resolve(parent.isEmpty() ? "." : parent.substring(1));
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
        for (Path child : ds) {
          if (Files.isDirectory(child)) {
            String expanded = parent + "/" + child.getFileName() + "/" + rest;
            // the limit PolicyParser holds the unexpanded prefixes to
            if (expanded.getBytes(StandardCharsets.UTF_8).length <= PATH_PREFIX_MAX) {
              out.add(expanded);
            }
          }
        }
      } catch (IOException e) {
        // no such directory: nothing to watch under it
      }
    }
    return out;
  }

  private void rules(
      ProcessRules r,
      int bit,
      Map<byte[], byte[]> uids,
      Map<byte[], byte[]> cgroups,
      Map<byte[], byte[]> exes,
      List<String> unresolved) {
    for (long uid : r.uids()) {
      merge(uids, le(UID_KEY_SIZE).putInt((int) uid).array(), bit);
    }
    for (String exe : r.executables()) {
      Path p = root.resolve(exe.substring(1));
      try {
        long dev = ((Number) Files.getAttribute(p, "unix:dev")).longValue();
        long ino = ((Number) Files.getAttribute(p, "unix:ino")).longValue();
        merge(
            exes,
            le(EXE_KEY_SIZE).putLong(EXE_KEY_DEV, kernelDev(dev)).putLong(EXE_KEY_INO, ino).array(),
            bit);
      } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
        unresolved.add("executable " + exe + " not found; its rule applies once a reload finds it");
      }
    }
    for (String cg : r.cgroups()) {
      Path dir = cgroupRoot.resolve(cg.substring(1));
      if (!Files.isDirectory(dir)) {
        unresolved.add(
            "cgroup "
                + cg
                + " not found under "
                + cgroupRoot
                + "; its rule applies once a reload finds it");
        continue;
      }
      // the directory alone: the kernel walks a process's cgroup ancestors, so the rule also covers
      // the cgroups made under it later
      try {
        long ino = ((Number) Files.getAttribute(dir, "unix:ino")).longValue();
        merge(cgroups, le(CGROUP_KEY_SIZE).putLong(ino).array(), bit);
      } catch (IOException e) {
        unresolved.add("cgroup " + cg + ": " + e.getMessage());
      }
    }
  }

  private static void merge(Map<byte[], byte[]> m, byte[] key, int bit) {
    for (var e : m.entrySet()) {
      if (Arrays.equals(e.getKey(), key)) {
        int v = ByteBuffer.wrap(e.getValue()).order(ByteOrder.nativeOrder()).getInt() | bit;
        e.setValue(le(RULE_VALUE_SIZE).putInt(v).array());
        return;
      }
    }
    m.put(key, le(RULE_VALUE_SIZE).putInt(bit).array());
  }

  /** st_dev (glibc encoding) → the kernel's dev_t (major << 20 | minor), as the probes read it. */
  static long kernelDev(long dev) {
    long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
    long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
    return (major << 20) | (minor & 0xfffff);
  }

  /** Makes the map hold exactly these entries: writes them all, then deletes the rest. */
  private void sync(String map, int keySize, Map<byte[], byte[]> entries) {
    remember(map, keySize, true, entries);
    int fd = probes.mapFd(map);
    List<byte[]> stale = probes.mapKeys(fd, keySize);
    for (var e : entries.entrySet()) {
      write(fd, map, e.getKey(), e.getValue());
    }
    for (byte[] k : stale) {
      if (entries.keySet().stream().noneMatch(w -> Arrays.equals(w, k))) {
        probes.mapDelete(fd, k);
      }
    }
  }

  /** One entry of an array map (policy_global, policy_types): only the keys written are ours. */
  private void write(String map, byte[] key, byte[] value) {
    remember(map, key.length, false, Map.of(key, value));
    write(probes.mapFd(map), map, key, value);
  }

  private void write(int fd, String map, byte[] key, byte[] value) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment k = a.allocate(key.length, 8);
      k.copyFrom(MemorySegment.ofArray(key));
      MemorySegment v = a.allocate(value.length, 8);
      v.copyFrom(MemorySegment.ofArray(value));
      probes.mapUpdate(fd, map, k, v);
    }
  }

  /** The value of the set-like maps: present is all it says. */
  private static byte[] mark() {
    byte[] m = new byte[MARK_SIZE];
    m[0] = 1;
    return m;
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
  }

  /** The cgroup v2 mount (/sys/fs/cgroup, or /sys/fs/cgroup/unified on hybrid hosts). */
  public static Path cgroup2Root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] f = line.split(" ");
        if (f.length > 2 && f[2].equals("cgroup2")) {
          return Path.of(f[1].replace("\\040", " "));
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return Path.of("/sys/fs/cgroup");
  }
}
