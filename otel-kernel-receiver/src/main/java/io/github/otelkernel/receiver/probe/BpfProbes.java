package io.github.otelkernel.receiver.probe;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One loaded BPF object: its programs, their links, its ring buffer and its drop counters.
 *
 * <p>Lifecycle: {@link #load} → {@link #attachAll} → {@link #poll} from one thread → {@link
 * #detachAll} → {@link #drain} → {@link #close}. Records are copied out of the ring buffer (it is
 * mapped read-only) before they reach the sink.
 */
public final class BpfProbes implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BpfProbes.class.getName());
  private static final String RING_BUFFER_MAP = "events";
  private static final String DROPS_MAP = "ringbuf_drops";

  private final Libbpf lib;
  private final Arena arena = Arena.ofShared();
  private final MemorySegment object;
  private final List<MemorySegment> links = new ArrayList<>();
  private final List<String> attached = new ArrayList<>();
  private final Consumer<byte[]> sink;
  private final List<String> skipped = new ArrayList<>();
  private Map<Integer, Integer> fallback = Map.of();
  private MemorySegment ringBuffer = MemorySegment.NULL;
  private volatile Throwable sinkFailure;

  private BpfProbes(Libbpf lib, MemorySegment object, Consumer<byte[]> sink) {
    this.lib = lib;
    this.object = object;
    this.sink = sink;
  }

  /**
   * Opens and loads a CO-RE object into the kernel.
   *
   * @param ringBufferBytes size of the ring buffer, a power of two multiple of the page size
   */
  public static BpfProbes load(
      byte[] elf, String name, long ringBufferBytes, Consumer<byte[]> sink) {
    Libbpf lib = Libbpf.get();
    Deque<String> warnings = new ArrayDeque<>();
    lib.setPrintCallback(
        (level, line) -> {
          if (level == Libbpf.LIBBPF_WARN) {
            synchronized (warnings) {
              warnings.addLast(line);
              if (warnings.size() > 40) {
                warnings.removeFirst();
              }
            }
            LOG.fine(() -> "libbpf: " + line);
          } else {
            LOG.finest(() -> "libbpf: " + line);
          }
        });
    try (Arena call = Arena.ofConfined()) {
      MemorySegment buf =
          Arena.global().allocate(elf.length, 8); // libbpf may keep a pointer into it
      buf.copyFrom(MemorySegment.ofArray(elf));
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment obj =
          (MemorySegment)
              lib.objectOpenMem.invokeExact(errno, buf, (long) elf.length, MemorySegment.NULL);
      if (obj.address() == 0) {
        throw new ProbeException(
            "cannot open BPF object "
                + name
                + ": "
                + Libc.strerror(Libbpf.errno(errno))
                + " (is the agent jar complete? rebuild it with 'mvn package')");
      }
      BpfProbes probes = new BpfProbes(lib, obj, sink);
      probes.skipMissingTracepoints();
      MemorySegment rbMap = probes.map(RING_BUFFER_MAP);
      int rc = (int) lib.mapSetMaxEntries.invokeExact(rbMap, (int) ringBufferBytes);
      if (rc != 0) {
        probes.close();
        throw new ProbeException(
            "receivers.ebpf.ring_buffer_size_mib: "
                + (ringBufferBytes >> 20)
                + " MiB is not accepted: use a power of two");
      }
      rc = (int) lib.objectLoad.invokeExact(obj);
      if (rc != 0) {
        List<String> log;
        synchronized (warnings) {
          log = List.copyOf(warnings);
        }
        probes.close();
        throw loadFailure(name, -rc, log);
      }
      probes.writeFallback();
      return probes;
    } catch (ProbeException e) {
      throw e;
    } catch (Throwable t) {
      throw new ProbeException("loading BPF object " + name + " failed: " + t);
    }
  }

  private static ProbeException loadFailure(String name, int errno, List<String> log) {
    for (String line : log) {
      LOG.fine(() -> "libbpf: " + line);
    }
    String err = Libc.strerror(errno);
    String hint =
        switch (errno) {
          case 1, 13 ->
              "the kernel refused: run the agent as root (or with CAP_BPF, CAP_PERFMON and"
                  + " CAP_SYS_RESOURCE), and check that kernel lockdown or a security module allows BPF";
          case 7, 22 ->
              "the kernel's verifier rejected a program: run with --debug to see the verifier log";
          case 2 ->
              "a kernel type or helper the probes need is missing: the kernel must have BTF"
                  + " (/sys/kernel/btf/vmlinux) and be 5.17 or newer";
          case 95, 524 ->
              "this kernel does not support a BPF feature the probes use (5.17 or newer needed)";
          default -> "run with --debug for libbpf's log";
        };
    String detail =
        log.stream()
            .filter(
                l ->
                    l.contains("failed to load")
                        || l.contains("failed to create")
                        || l.contains("Error"))
            .reduce((a, b) -> b)
            .map(l -> " [libbpf: " + l.replace("libbpf: ", "") + "]")
            .orElse("");
    return new ProbeException(
        "loading BPF object " + name + " failed: " + err + ": " + hint + detail);
  }

  /**
   * Leaves out every program whose tracepoint this kernel lacks (a system call compiled out, like
   * init_module on a kernel without modules), so that one missing event does not cost the rest.
   */
  private void skipMissingTracepoints() throws Throwable {
    Path tracefs =
        Files.isDirectory(Path.of("/sys/kernel/tracing/events"))
            ? Path.of("/sys/kernel/tracing/events")
            : Path.of("/sys/kernel/debug/tracing/events");
    if (!Files.isDirectory(tracefs)) {
      return; // attach will name the problem
    }
    MemorySegment prog = MemorySegment.NULL;
    while (true) {
      prog = (MemorySegment) lib.objectNextProgram.invokeExact(object, prog);
      if (prog.address() == 0) {
        break;
      }
      String section = cString((MemorySegment) lib.programSectionName.invokeExact(prog));
      String[] parts = section.split("/");
      if (parts.length == 3
          && (parts[0].equals("tp") || parts[0].equals("tracepoint"))
          && !Files.isDirectory(tracefs.resolve(parts[1]).resolve(parts[2]))) {
        int unused = (int) lib.programSetAutoload.invokeExact(prog, false);
        skipped.add(parts[1] + "/" + parts[2]);
      }
      // a BTF-typed tracepoint names no subsystem; a kernel without it (io_uring compiled out)
      // would
      // refuse the whole object at load, so look for it under every subsystem
      if (parts.length == 2 && parts[0].equals("tp_btf") && !anySubsystemHas(tracefs, parts[1])) {
        int unused = (int) lib.programSetAutoload.invokeExact(prog, false);
        skipped.add(parts[1]);
      }
    }
    if (!skipped.isEmpty()) {
      LOG.info(
          "this kernel lacks "
              + skipped.size()
              + " tracepoints; their probes are left out: "
              + String.join(", ", skipped));
    }
    fallback = SyscallFallback.entries(skipped);
    prog = MemorySegment.NULL;
    while (true) {
      prog = (MemorySegment) lib.objectNextProgram.invokeExact(object, prog);
      if (prog.address() == 0) {
        break;
      }
      String section = cString((MemorySegment) lib.programSectionName.invokeExact(prog));
      if (section.equals(SyscallFallback.SECTION) && fallback.isEmpty()) {
        int unused = (int) lib.programSetAutoload.invokeExact(prog, false);
      }
    }
  }

  private static boolean anySubsystemHas(Path tracefs, String event) throws java.io.IOException {
    try (var subsystems = Files.list(tracefs)) {
      return subsystems.anyMatch(d -> Files.isDirectory(d.resolve(event)));
    }
  }

  /** Tells the loaded fallback program which system calls it stands in for. */
  private void writeFallback() {
    if (fallback.isEmpty()) {
      return;
    }
    int fd = mapFd(SyscallFallback.MAP);
    try (Arena call = Arena.ofConfined()) {
      for (var e : fallback.entrySet()) {
        mapUpdate(
            fd,
            SyscallFallback.MAP,
            call.allocateFrom(MapLayout.FALLBACK_KEY, e.getKey()),
            call.allocateFrom(MapLayout.FALLBACK_VALUE, e.getValue()));
      }
    }
    LOG.info(
        "module and kexec calls are watched through raw_tp/sys_exit (their tracepoints are missing)");
  }

  /** Tracepoints this kernel lacks, whose programs were not loaded. */
  public List<String> skippedTracepoints() {
    return List.copyOf(skipped);
  }

  /** The file descriptor of one of the object's maps, for the policy compiler. */
  public int mapFd(String mapName) {
    try {
      return (int) lib.mapFd.invokeExact(map(mapName));
    } catch (ProbeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Writes one map entry; a failure names the map. */
  public void mapUpdate(int fd, String mapName, MemorySegment key, MemorySegment value) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      int rc = (int) lib.mapUpdateElem.invokeExact(errno, fd, key, value, 0L);
      if (rc != 0) {
        throw new ProbeException(
            "cannot write BPF map "
                + mapName
                + ": "
                + Libc.strerror(Libbpf.errno(errno))
                + (Libbpf.errno(errno) == 7
                    ? " (too many entries: the policy lists more than the map holds)"
                    : ""));
      }
    } catch (ProbeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** One entry's value (valueSize bytes), or empty when the key is not there. */
  public java.util.Optional<byte[]> mapLookup(int fd, byte[] key, int valueSize) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment k = call.allocate(key.length, 8);
      k.copyFrom(MemorySegment.ofArray(key));
      MemorySegment v = call.allocate(valueSize, 8);
      int rc = (int) lib.mapLookupElem.invokeExact(errno, fd, k, v);
      return rc == 0
          ? java.util.Optional.of(v.toArray(ValueLayout.JAVA_BYTE))
          : java.util.Optional.empty();
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** The keys of a hash or LPM map (keys of keySize bytes). */
  public List<byte[]> mapKeys(int fd, long keySize) {
    List<byte[]> keys = new ArrayList<>();
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment key = call.allocate(keySize, 8);
      MemorySegment prev = MemorySegment.NULL;
      while ((int) lib.mapGetNextKey.invokeExact(errno, fd, prev, key) == 0
          && keys.size() < 1_000_000) {
        keys.add(key.toArray(ValueLayout.JAVA_BYTE));
        prev = call.allocate(keySize, 8);
        prev.copyFrom(key);
      }
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return keys;
  }

  /** Deletes one entry; a missing key is not an error. */
  public void mapDelete(int fd, byte[] key) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment k = call.allocate(key.length, 8);
      k.copyFrom(MemorySegment.ofArray(key));
      int unused = (int) lib.mapDeleteElem.invokeExact(errno, fd, k);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private MemorySegment map(String mapName) throws Throwable {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment m =
          (MemorySegment) lib.objectFindMap.invokeExact(object, call.allocateFrom(mapName));
      if (m.address() == 0) {
        throw new ProbeException(
            "BPF object lacks map '" + mapName + "': probes and agent are out of step, rebuild");
      }
      return m;
    }
  }

  /** What a BPF object of the agent is, as the probes' {@code enum bpf_object_kind} numbers it. */
  public enum ObjectKind {
    MAP(1),
    PROGRAM(2),
    LINK(3);

    private final int number;

    ObjectKind(int number) {
      this.number = number;
    }

    public int number() {
      return number;
    }
  }

  /** One of the agent's maps, programs or links, by the id the kernel gave it. */
  public record ObjectId(ObjectKind kind, int id) {}

  /**
   * The ids of the object's maps, loaded programs and links: what another process names when it
   * reaches for them (bpftool map update id N, link detach id N). Call once attached.
   */
  public List<ObjectId> objectIds() {
    List<ObjectId> ids = new ArrayList<>();
    try {
      MemorySegment map = MemorySegment.NULL;
      while ((map = (MemorySegment) lib.objectNextMap.invokeExact(object, map)).address() != 0) {
        addId(ids, ObjectKind.MAP, (int) lib.mapFd.invokeExact(map));
      }
      MemorySegment prog = MemorySegment.NULL;
      while ((prog = (MemorySegment) lib.objectNextProgram.invokeExact(object, prog)).address()
          != 0) {
        if ((boolean) lib.programAutoload.invokeExact(prog)) {
          addId(ids, ObjectKind.PROGRAM, (int) lib.programFd.invokeExact(prog));
        }
      }
      for (MemorySegment link : links) {
        addId(ids, ObjectKind.LINK, (int) lib.linkFd.invokeExact(link));
      }
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return List.copyOf(ids);
  }

  private void addId(List<ObjectId> ids, ObjectKind kind, int fd) {
    int id =
        fd < 0 ? 0 : objectInfo(fd).getInt(4); // struct bpf_{map,prog,link}_info: type, id, ...
    if (id != 0) {
      ids.add(new ObjectId(kind, id));
    }
  }

  /** The first bytes of a descriptor's bpf_*_info; zeros when the kernel refuses. */
  private java.nio.ByteBuffer objectInfo(int fd) {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment info = call.allocate(64, 8); // zeroed: no array is asked for
      MemorySegment len = call.allocate(ValueLayout.JAVA_INT);
      len.set(ValueLayout.JAVA_INT, 0, 64);
      int rc = (int) lib.objGetInfoByFd.invokeExact(errno, fd, info, len);
      byte[] out = rc == 0 ? info.toArray(ValueLayout.JAVA_BYTE) : new byte[64];
      return java.nio.ByteBuffer.wrap(out).order(java.nio.ByteOrder.nativeOrder());
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  /** Attaches every program of the object; a failure names the program and the reason. */
  public List<String> attachAll() {
    try (Arena call = Arena.ofConfined()) {
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment prog = MemorySegment.NULL;
      while (true) {
        prog = (MemorySegment) lib.objectNextProgram.invokeExact(object, prog);
        if (prog.address() == 0) {
          break;
        }
        if (!(boolean) lib.programAutoload.invokeExact(prog)) {
          continue; // left out at load (its tracepoint is missing, or a fallback not needed)
        }
        String progName = cString((MemorySegment) lib.programName.invokeExact(prog));
        String section = cString((MemorySegment) lib.programSectionName.invokeExact(prog));
        MemorySegment link = (MemorySegment) lib.programAttach.invokeExact(errno, prog);
        if (link.address() == 0) {
          int e = Libbpf.errno(errno);
          throw new ProbeException(attachFailure(progName, section, e));
        }
        links.add(link);
        attached.add(section);
      }
      MemorySegment cb =
          NativeLibraries.LINKER.upcallStub(
              MethodHandles.lookup()
                  .findVirtual(
                      BpfProbes.class,
                      "onSample",
                      MethodType.methodType(
                          int.class, MemorySegment.class, MemorySegment.class, long.class))
                  .bindTo(this),
              FunctionDescriptor.of(
                  NativeLibraries.C_INT,
                  NativeLibraries.C_POINTER,
                  NativeLibraries.C_POINTER,
                  NativeLibraries.C_LONG),
              arena);
      int fd = (int) lib.mapFd.invokeExact(map(RING_BUFFER_MAP));
      ringBuffer =
          (MemorySegment)
              lib.ringBufferNew.invokeExact(errno, fd, cb, MemorySegment.NULL, MemorySegment.NULL);
      if (ringBuffer.address() == 0) {
        throw new ProbeException(
            "cannot map the BPF ring buffer: "
                + Libc.strerror(Libbpf.errno(errno))
                + " (raise the locked-memory limit: ulimit -l unlimited)");
      }
      return List.copyOf(attached);
    } catch (ProbeException e) {
      detachAll();
      throw e;
    } catch (Throwable t) {
      detachAll();
      throw new ProbeException("attaching probes failed: " + t);
    }
  }

  static String attachFailure(String prog, String section, int errno) {
    String what = section.replaceFirst("^(tp|tracepoint|raw_tp|raw_tracepoint|tp_btf)/", "");
    String hint =
        switch (errno) {
          case 2 ->
              "no tracepoint "
                  + what
                  + " under /sys/kernel/tracing/events: is tracefs mounted, and was the"
                  + " kernel built with CONFIG_TRACEPOINTS and CONFIG_FTRACE_SYSCALLS?";
          case 1, 13 ->
              "permission denied: run as root (tracefs and perf events need CAP_PERFMON or CAP_SYS_ADMIN)";
          case 95, 524 -> "this kernel does not support attaching " + section;
          default -> Libc.strerror(errno);
        };
    return "cannot attach probe "
        + prog
        + " ("
        + section
        + "): "
        + Libc.strerror(errno)
        + ": "
        + hint;
  }

  @SuppressWarnings("unused") // upcall from ring_buffer__poll
  private int onSample(MemorySegment ctx, MemorySegment data, long size) {
    try {
      sink.accept(data.reinterpret(size).toArray(ValueLayout.JAVA_BYTE));
      return 0;
    } catch (Throwable t) {
      // never unwind into libbpf; the poll loop rethrows it
      sinkFailure = t;
      return -1;
    }
  }

  /** Waits up to timeoutMs for records and hands each to the sink. Returns records consumed. */
  public int poll(int timeoutMs) {
    int n;
    try {
      n = (int) lib.ringBufferPoll.invokeExact(ringBuffer, timeoutMs);
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    rethrowSinkFailure();
    if (n < 0 && n != -4 /* EINTR */) {
      throw new ProbeException("reading the BPF ring buffer failed: " + Libc.strerror(-n));
    }
    return Math.max(n, 0);
  }

  /** Consumes whatever is in the ring buffer without waiting. */
  public int drain() {
    if (ringBuffer.address() == 0) {
      return 0;
    }
    int total = 0;
    try {
      int n;
      while ((n = (int) lib.ringBufferConsume.invokeExact(ringBuffer)) > 0) {
        total += n;
      }
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    rethrowSinkFailure();
    return total;
  }

  private void rethrowSinkFailure() {
    Throwable t = sinkFailure;
    if (t != null) {
      sinkFailure = null;
      if (t instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(t);
    }
  }

  /** Records the kernel could not reserve in the ring buffer, per event type, summed over CPUs. */
  public long[] ringBufferDrops(int types) {
    return perCpuSums(DROPS_MAP, types);
  }

  /**
   * Calls whose entry could not be stashed for their exit (no task storage), per type, summed over
   * CPUs.
   */
  public long[] stashFailures(int types) {
    return perCpuSums("stash_fails", types);
  }

  /** A per-CPU array of u64 counters, each index summed over CPUs. */
  public long[] perCpuSums(String mapName, int types) {
    long[] out = new long[types];
    try (Arena call = Arena.ofConfined()) {
      int fd = (int) lib.mapFd.invokeExact(map(mapName));
      int cpus = (int) lib.numPossibleCpus.invokeExact();
      MemorySegment key = call.allocate(MapLayout.COUNTER_KEY);
      MemorySegment values = call.allocate(MapLayout.COUNTER_VALUE, Math.max(cpus, 1));
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      for (int type = 0; type < types; type++) {
        key.set(MapLayout.COUNTER_KEY, 0, type);
        int rc = (int) lib.mapLookupElem.invokeExact(errno, fd, key, values);
        if (rc != 0) {
          continue;
        }
        long sum = 0;
        for (int cpu = 0; cpu < cpus; cpu++) {
          sum +=
              values.getAtIndex(
                  MapLayout.COUNTER_VALUE, cpu); // a u64 per CPU: no padding between them
        }
        out[type] = sum;
      }
    } catch (ProbeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
    return out;
  }

  /**
   * What an object asks of the kernel, for {@code doctor}: each program and map type it uses, by
   * libbpf's name, and whether this kernel loads it (libbpf's feature probes, which load a minimal
   * program or create a minimal map of the type).
   */
  public record KernelSupport(Map<String, Boolean> programTypes, Map<String, Boolean> mapTypes) {}

  /** Opens the object without loading it and probes the kernel for each type it uses. */
  public static KernelSupport kernelSupport(byte[] elf, String name) {
    Libbpf lib = Libbpf.get();
    try (Arena call = Arena.ofConfined()) {
      MemorySegment buf = call.allocate(elf.length, 8);
      buf.copyFrom(MemorySegment.ofArray(elf));
      MemorySegment errno = call.allocate(NativeLibraries.CAPTURE_LAYOUT);
      MemorySegment obj =
          (MemorySegment)
              lib.objectOpenMem.invokeExact(errno, buf, (long) elf.length, MemorySegment.NULL);
      if (obj.address() == 0) {
        throw new ProbeException(
            "cannot open BPF object " + name + ": " + Libc.strerror(Libbpf.errno(errno)));
      }
      try {
        Map<String, Boolean> programs = new java.util.TreeMap<>();
        MemorySegment prog = MemorySegment.NULL;
        while ((prog = (MemorySegment) lib.objectNextProgram.invokeExact(obj, prog)).address()
            != 0) {
          int type = (int) lib.programType.invokeExact(prog);
          String typeName = cString((MemorySegment) lib.programTypeName.invokeExact(type));
          if (!programs.containsKey(typeName)) {
            programs.put(
                typeName, (int) lib.probeProgramType.invokeExact(type, MemorySegment.NULL) == 1);
          }
        }
        Map<String, Boolean> maps = new java.util.TreeMap<>();
        MemorySegment map = MemorySegment.NULL;
        while ((map = (MemorySegment) lib.objectNextMap.invokeExact(obj, map)).address() != 0) {
          int type = (int) lib.mapType.invokeExact(map);
          String typeName = cString((MemorySegment) lib.mapTypeName.invokeExact(type));
          if (!maps.containsKey(typeName)) {
            maps.put(typeName, (int) lib.probeMapType.invokeExact(type, MemorySegment.NULL) == 1);
          }
        }
        return new KernelSupport(Map.copyOf(programs), Map.copyOf(maps));
      } finally {
        lib.objectClose.invokeExact(obj);
      }
    } catch (ProbeException e) {
      throw e;
    } catch (Throwable t) {
      throw new ProbeException("probing the kernel for " + name + " failed: " + t);
    }
  }

  /** Section names of the programs the load included (those whose tracepoint exists). */
  public List<String> loadedPrograms() {
    List<String> out = new ArrayList<>();
    try {
      MemorySegment prog = MemorySegment.NULL;
      while ((prog = (MemorySegment) lib.objectNextProgram.invokeExact(object, prog)).address()
          != 0) {
        if ((boolean) lib.programAutoload.invokeExact(prog)) {
          out.add(cString((MemorySegment) lib.programSectionName.invokeExact(prog)));
        }
      }
    } catch (Throwable t) {
      throw new ProbeException("listing the loaded programs failed: " + t);
    }
    return out;
  }

  public List<String> attachedPrograms() {
    return List.copyOf(attached);
  }

  /**
   * Detaches every program: the kernel stops producing; records already queued stay readable.
   *
   * <p>Closing a tracepoint's link waits out an RCU grace period (tens of milliseconds), so 161
   * links closed one after another took 11 s. Closed from one platform thread each (a native call
   * pins a virtual thread's carrier), the waits overlap.
   */
  public void detachAll() {
    List<MemorySegment> toDetach = List.copyOf(links);
    links.clear();
    List<Thread> closers = new ArrayList<>(toDetach.size());
    for (MemorySegment link : toDetach) {
      try {
        closers.add(Thread.ofPlatform().daemon().name("ksec-detach").start(() -> destroy(link)));
      } catch (OutOfMemoryError | RuntimeException noThread) {
        destroy(link); // no thread to be had: this one the slow way, the others still go
      }
    }
    boolean interrupted = false;
    for (Thread closer : closers) {
      while (true) {
        try {
          closer.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the links must be gone before the object is closed
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private void destroy(MemorySegment link) {
    try {
      int unused = (int) lib.linkDestroy.invokeExact(link);
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "detaching a probe failed: " + t);
    }
  }

  @Override
  public void close() {
    detachAll();
    try {
      if (ringBuffer.address() != 0) {
        lib.ringBufferFree.invokeExact(ringBuffer);
        ringBuffer = MemorySegment.NULL;
      }
      lib.objectClose.invokeExact(object);
    } catch (Throwable t) {
      LOG.log(Level.WARNING, "releasing the BPF object failed: " + t);
    }
    arena.close();
  }

  private static String cString(MemorySegment p) {
    return p.address() == 0 ? "?" : p.reinterpret(4096).getString(0);
  }
}
