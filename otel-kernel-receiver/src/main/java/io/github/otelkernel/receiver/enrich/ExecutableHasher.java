package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * SHA-256 of executed files, computed on its own threads and cached per file version, so the event
 * path only ever does a map lookup.
 *
 * <p>It opens only what it means to. A path is opened with O_PATH (opening nothing: no device open
 * side effect, no FIFO wait) and without following symlinks: openat2 with RESOLVE_NO_SYMLINKS where
 * the kernel has it, else openat with O_NOFOLLOW one component at a time. The file behind that
 * descriptor must be a regular file of exactly the requested version (statx of the descriptor: dev,
 * inode, size, mtime) before a byte is read, and is re-checked after; the bytes are read through
 * {@code /proc/self/fd/N}, that very inode. Only {@code /proc/PID/exe} is followed: it is the
 * kernel's reference to the executed file, not a path lookup. memfd and " (deleted)" paths are
 * never opened (they name nothing, or something else, on disk), and without native access nothing
 * is hashed at all rather than opening paths.
 *
 * <p>Nothing served by FUSE is read, nor looked up by a path that crosses a FUSE mount (counted as
 * refused): a FUSE server, which any user may run, can hold a request it has taken for ever in
 * uninterruptible sleep, and a JVM with a thread in that state cannot exit (MountTable).
 *
 * <p>Each hash has a deadline. A watchdog answers the waiters of a hash that overran it (FUSE or
 * NFS that never answers), interrupts its thread and starts a replacement, so other files keep
 * being hashed; further requests for files on that device are answered at once until the stuck read
 * returns. Limit: a read stuck in the kernel cannot be cancelled, so its thread stays until the
 * kernel gives up; at most {@value #MAX_STUCK} such threads are replaced, beyond that the pool
 * shrinks (answers still come, from the watchdog, but possibly without hashes).
 */
public final class ExecutableHasher implements AutoCloseable {
  /** A file's content version: device (st_dev), inode, size and modification time. */
  public record FileKey(long device, long inode, long size, long mtimeNanos) {}

  /** Opens the checked file for reading; a seam so tests can stand in a read that never returns. */
  interface Reader {
    ReadableByteChannel open(FileKey key, Path fd) throws IOException;
  }

  static final long DEFAULT_MAX_BYTES = 512L << 20;
  static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(60);
  static final int MAX_PENDING = 1024;
  static final int MAX_WAITERS_PER_FILE = 256;
  static final int MAX_WAITERS = 4096;
  static final int MAX_STUCK = 8;
  private static final Pattern PROC_EXE = Pattern.compile("/proc/[0-9]+/exe");

  private final int maxEntries;
  private final long maxBytes;
  private final long deadlineNanos;
  private final Reader reader;
  private final Map<FileKey, String> cache;
  private final Map<FileKey, List<BiConsumer<FileKey, Optional<String>>>> inFlight =
      new HashMap<>();
  private int waiters; // under inFlight
  private final BlockingQueue<Job> queue = new ArrayBlockingQueue<>(MAX_PENDING);
  private final Set<Job> running = ConcurrentHashMap.newKeySet();
  private final Map<Long, AtomicInteger> stuckDevices = new ConcurrentHashMap<>();
  private final MountTable mounts = new MountTable(Path.of("/proc"));
  private final AtomicInteger stuckThreads = new AtomicInteger();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Thread watchdog;
  private volatile boolean closed;
  private final AtomicLong hashed = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong tooLarge = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();

  public ExecutableHasher(int maxEntries, int threads) {
    this(maxEntries, threads, DEFAULT_MAX_BYTES);
  }

  public ExecutableHasher(int maxEntries, int threads, long maxBytes) {
    this(
        maxEntries,
        threads,
        maxBytes,
        DEFAULT_DEADLINE,
        (k, fd) -> FileChannel.open(fd, StandardOpenOption.READ));
  }

  ExecutableHasher(int maxEntries, int threads, long maxBytes, Duration deadline, Reader reader) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.deadlineNanos = deadline.toNanos();
    this.reader = reader;
    this.cache =
        new LinkedHashMap<>(16, 0.75f, true) { // access order: least recently used first
          @Override
          protected boolean removeEldestEntry(Map.Entry<FileKey, String> eldest) {
            return size() > ExecutableHasher.this.maxEntries;
          }
        };
    for (int i = 0; i < Math.max(1, threads); i++) {
      startWorker();
    }
    long tickMillis = Math.clamp(deadline.toMillis() / 4, 5, 1000);
    this.watchdog =
        Thread.ofPlatform().daemon().name("exe-hasher-watchdog").start(() -> watch(tickMillis));
  }

  /** One hash to compute; settled exactly once, by its worker or by the watchdog. */
  private static final class Job {
    final FileKey key;
    final List<Path> paths;
    final long queuedNanos = System.nanoTime();
    volatile long startedNanos;
    volatile Thread thread;
    volatile boolean replaced;
    final AtomicBoolean settled = new AtomicBoolean();

    Job(FileKey key, List<Path> paths) {
      this.key = key;
      this.paths = paths;
    }
  }

  /** The hash of this version if known; a map lookup under a lock held only for map operations. */
  public Optional<String> cached(FileKey key) {
    String h;
    synchronized (cache) {
      h = cache.get(key);
    }
    if (h != null) {
      cacheHits.incrementAndGet();
    }
    return Optional.ofNullable(h);
  }

  /** {@link #request(FileKey, List, BiConsumer)} with one path. */
  public void request(FileKey key, Path path, BiConsumer<FileKey, Optional<String>> whenDone) {
    request(key, List.of(path), whenDone);
  }

  /**
   * Hashes the first of {@code paths} that is still this version, unless it is cached or already
   * being hashed; {@code whenDone} is called exactly once either way (on a hasher thread, or on the
   * caller's when the answer is immediate).
   */
  public void request(
      FileKey key, List<Path> paths, BiConsumer<FileKey, Optional<String>> whenDone) {
    if (key.size() > maxBytes) { // the key carries the size: no need to open the file to say no
      tooLarge.incrementAndGet();
      whenDone.accept(key, Optional.empty());
      return;
    }
    Optional<String> hit = cached(key);
    if (hit.isPresent()) {
      whenDone.accept(key, hit);
      return;
    }
    if (closed) {
      dropped.incrementAndGet();
      whenDone.accept(key, Optional.empty());
      return;
    }
    if (stuckDevices.containsKey(
        key.device())) { // a read there has not come back: don't send another thread
      timedOut.incrementAndGet();
      whenDone.accept(key, Optional.empty());
      return;
    }
    boolean drop = false;
    synchronized (inFlight) {
      List<BiConsumer<FileKey, Optional<String>>> waiting = inFlight.get(key);
      if (waiting != null) {
        if (waiting.size() >= MAX_WAITERS_PER_FILE || waiters >= MAX_WAITERS) {
          drop = true; // bounded: a flood of execs of one file must not grow this without limit
        } else {
          waiting.add(whenDone);
          waiters++;
          return;
        }
      } else {
        // finish() caches before it leaves inFlight: look again, or a request racing with it hashes
        // twice
        hit = cached(key);
        if (hit.isEmpty()) {
          if (waiters >= MAX_WAITERS) {
            drop = true;
          } else {
            waiting = new ArrayList<>();
            waiting.add(whenDone);
            waiters++;
            inFlight.put(key, waiting);
          }
        }
      }
    }
    if (drop) {
      dropped.incrementAndGet();
      whenDone.accept(key, Optional.empty());
      return;
    }
    if (hit.isPresent()) {
      whenDone.accept(key, hit);
      return;
    }
    Job job = new Job(key, List.copyOf(paths));
    if (!queue.offer(job)) {
      dropped.incrementAndGet();
      if (job.settled.compareAndSet(false, true)) {
        finish(key, Optional.empty());
      }
    }
  }

  private void startWorker() {
    Thread t =
        Thread.ofPlatform()
            .daemon()
            .name("exe-hasher")
            .priority(Thread.MIN_PRIORITY) // hashing must not compete with the event path
            .unstarted(this::work);
    threads.add(t);
    t.start();
  }

  private void work() {
    try {
      while (!closed) {
        Job job;
        try {
          job = queue.take();
        } catch (InterruptedException e) {
          continue; // close() sets closed first; otherwise a late watchdog interrupt
        }
        if (job.settled.get()) {
          continue; // the watchdog answered it while it was queued
        }
        job.thread = Thread.currentThread();
        job.startedNanos = System.nanoTime();
        running.add(job);
        Optional<String> result = Optional.empty();
        try {
          for (Path p : job.paths) {
            result = hash(job, p);
            if (result.isPresent()) {
              break;
            }
          }
        } finally {
          running.remove(job);
          Thread.interrupted(); // a watchdog interrupt must not reach the next job
        }
        if (job.settled.compareAndSet(false, true)) {
          if (result.isEmpty()) {
            failed.incrementAndGet();
          }
          finish(job.key, result);
          continue;
        }
        // came back after the watchdog gave up on it: keep a late hash, free the device
        result.ifPresent(
            h -> {
              synchronized (cache) {
                cache.put(job.key, h);
              }
            });
        stuckThreads.decrementAndGet();
        stuckDevices.computeIfPresent(
            job.key.device(), (d, n) -> n.decrementAndGet() <= 0 ? null : n);
        if (job.replaced) {
          return; // a replacement took this thread's place
        }
      }
    } finally {
      threads.remove(Thread.currentThread());
    }
  }

  private void watch(long tickMillis) {
    while (!closed) {
      try {
        Thread.sleep(tickMillis);
      } catch (InterruptedException e) {
        continue;
      }
      long now = System.nanoTime();
      for (Job job : running) {
        if (now - job.startedNanos > deadlineNanos && job.settled.compareAndSet(false, true)) {
          timedOut.incrementAndGet();
          stuckDevices
              .computeIfAbsent(job.key.device(), d -> new AtomicInteger())
              .incrementAndGet();
          if (stuckThreads.incrementAndGet() <= MAX_STUCK && !closed) {
            job.replaced = true;
            startWorker();
          }
          Thread t = job.thread;
          if (t != null) {
            t.interrupt(); // ends an interruptible wait (a pipe); a FUSE or NFS wait may ignore it
          }
          finish(job.key, Optional.empty());
        }
      }
      for (Job job :
          queue) { // all threads stuck beyond the limit: queued requests still get an answer
        if (now - job.queuedNanos > 2 * deadlineNanos && job.settled.compareAndSet(false, true)) {
          queue.remove(job);
          dropped.incrementAndGet();
          finish(job.key, Optional.empty());
        }
      }
    }
  }

  private void finish(FileKey key, Optional<String> result) {
    result.ifPresent(
        h -> {
          synchronized (cache) {
            cache.put(key, h);
          }
        });
    List<BiConsumer<FileKey, Optional<String>>> waiting;
    synchronized (inFlight) {
      waiting = inFlight.remove(key);
      if (waiting != null) {
        waiters -= waiting.size();
      }
    }
    notify(key, waiting, result);
  }

  private static void notify(
      FileKey key, List<BiConsumer<FileKey, Optional<String>>> waiting, Optional<String> result) {
    if (waiting == null) {
      return; // close() answered them already
    }
    for (var cb : waiting) {
      try {
        cb.accept(key, result);
      } catch (RuntimeException ignored) {
        // one callback's failure must not starve the others
      }
    }
  }

  private Optional<String> hash(Job job, Path path) {
    FileKey expected = job.key;
    String text = path.toString();
    boolean procExe = PROC_EXE.matcher(text).matches();
    if (!Native.AVAILABLE
        || !path.isAbsolute()
        || text.startsWith("/memfd:")
        || text.endsWith(" (deleted)")) {
      refused.incrementAndGet(); // no safe way to open it, or the path names no longer that file
      return Optional.empty();
    }
    if (!procExe && mounts.pathCrossesFuse(text)) {
      refused.incrementAndGet(); // looking the path up would ask a FUSE server (see MountTable)
      return Optional.empty();
    }
    int fd;
    try {
      fd = Native.openPath(text, procExe);
    } catch (Native.Refused e) {
      refused.incrementAndGet(); // a symlink on the way
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty(); // gone, or the process exited
    }
    try {
      if (mounts.onFuse(fd)) {
        refused
            .incrementAndGet(); // served by FUSE: even statx could wait for ever (see MountTable)
        return Optional.empty();
      }
      Native.Stat st = Native.stat(fd);
      if (!st.regular()) {
        refused.incrementAndGet(); // a device, FIFO, socket, directory or the symlink itself: never
        // read
        return Optional.empty();
      }
      if (!expected.equals(st.key())) {
        return Optional.empty(); // another version
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long total = 0;
      // /proc/self/fd/N re-opens the very inode just checked, whatever happened to the path since
      try (ReadableByteChannel ch = reader.open(expected, Path.of("/proc/self/fd/" + fd))) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16); // streamed: memory stays at one buffer
        int n;
        while ((n = ch.read(buf)) >= 0) {
          total += n;
          if (total > expected.size() || System.nanoTime() - job.startedNanos > deadlineNanos) {
            return Optional.empty(); // grew while being read, or too slow
          }
          buf.flip();
          sha.update(buf);
          buf.clear();
        }
      }
      if (total != expected.size() || !expected.equals(Native.stat(fd).key())) {
        return Optional.empty(); // changed while being read
      }
      hashed.incrementAndGet();
      return Optional.of(HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // not readable, or interrupted by the watchdog
    } finally {
      Native.close(fd);
    }
  }

  /**
   * The version key of a file, from its unix attributes (follows /proc/PID/exe to the executed
   * file).
   */
  public static FileKey keyOf(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime");
    FileTime mtime = (FileTime) a.get("lastModifiedTime");
    long nanos = mtime.to(TimeUnit.NANOSECONDS);
    return new FileKey((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"), nanos);
  }

  public long hashed() {
    return hashed.get();
  }

  public long cacheHits() {
    return cacheHits.get();
  }

  /**
   * Requests for which no path gave a hash of that version (gone, replaced, unreadable, refused).
   */
  public long failed() {
    return failed.get();
  }

  /**
   * Requests answered without trying: queue or waiter limits reached, waited too long, or closed.
   */
  public long droppedRequests() {
    return dropped.get();
  }

  /** {@link #droppedRequests()}, under the name the other counters use. */
  public long dropped() {
    return dropped.get();
  }

  /** Requests for files larger than the cap; not counted as failed. */
  public long tooLarge() {
    return tooLarge.get();
  }

  /**
   * Paths not opened or not read: memfd or deleted, a symlink or not a regular file, or no native
   * access to open them safely.
   */
  public long refused() {
    return refused.get();
  }

  /** Hashes abandoned at their deadline, and requests answered at once for a device with one. */
  public long timedOut() {
    return timedOut.get();
  }

  /**
   * The outcome counters read together, for one report. Failed and timed out count hashes (a hash
   * may have had several waiters), dropped and too large count requests, refused counts paths (each
   * also behind a failed hash); cache hits count lookups.
   */
  public record Counts(
      long hashed,
      long cacheHits,
      long failed,
      long dropped,
      long tooLarge,
      long refused,
      long timedOut) {
    public static final Counts NONE = new Counts(0, 0, 0, 0, 0, 0, 0);

    /**
     * Answers without a hash (failed, dropped, too large, timed out): records that go out without
     * one.
     */
    public long withoutHash() {
      return failed + dropped + tooLarge + timedOut;
    }

    /** outcome=count, in the order agent.health and the stop summary have always listed them. */
    public List<String> asList() {
      return List.of(
          "hashed=" + hashed,
          "cache_hits=" + cacheHits,
          "failed=" + failed,
          "dropped=" + dropped,
          "too_large=" + tooLarge,
          "refused=" + refused,
          "timed_out=" + timedOut);
    }
  }

  public Counts counts() {
    return new Counts(
        hashed.get(),
        cacheHits.get(),
        failed.get(),
        dropped.get(),
        tooLarge.get(),
        refused.get(),
        timedOut.get());
  }

  /** Stops hashing; requests still waiting get their callback with an empty result. */
  @Override
  public void close() {
    closed = true;
    watchdog.interrupt();
    for (Thread t : threads) {
      t.interrupt();
    }
    List<Job> queued = new ArrayList<>();
    queue.drainTo(queued);
    for (Job j : queued) {
      j.settled.set(true);
    }
    List<Map.Entry<FileKey, List<BiConsumer<FileKey, Optional<String>>>>> pending;
    synchronized (inFlight) {
      pending = new ArrayList<>(inFlight.entrySet());
      inFlight.clear();
      waiters = 0;
    }
    for (var e : pending) {
      notify(e.getKey(), e.getValue(), Optional.empty());
    }
  }

  /**
   * open(2)/openat2(2) with O_PATH, statx(2) of the descriptor and close(2), through FFM. Flag
   * values are the same on x86-64 and arm64 except O_NOFOLLOW.
   */
  private static final class Native {
    static final class Refused extends IOException {
      Refused(String m) {
        super(m);
      }
    }

    record Stat(int mode, FileKey key) {
      boolean regular() {
        return (mode & 0170000) == 0100000;
      }
    }

    private static final int O_PATH = 010000000;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_NOFOLLOW =
        "aarch64".equals(System.getProperty("os.arch")) ? 0100000 : 0400000;
    private static final long RESOLVE_NO_MAGICLINKS = 0x02;
    private static final long RESOLVE_NO_SYMLINKS = 0x04;
    private static final long SYS_OPENAT2 = 437; // same number on x86-64 and arm64
    private static final long AT_FDCWD = -100;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int ELOOP = 40;

    static final boolean AVAILABLE;
    private static final MethodHandle OPEN;
    private static final MethodHandle OPENAT;
    private static final MethodHandle SYSCALL;
    private static final MethodHandle STATX;
    private static final MethodHandle CLOSE;
    private static final MemoryLayout CAPTURE;
    private static final VarHandle ERRNO;
    private static final boolean OPENAT2;

    static {
      MethodHandle open = null;
      MethodHandle openat = null;
      MethodHandle syscall = null;
      MethodHandle statx = null;
      MethodHandle close = null;
      MemoryLayout capture = null;
      VarHandle errno = null;
      boolean openat2 = false;
      try {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        capture = Linker.Option.captureStateLayout();
        errno = capture.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        Linker.Option keepErrno = Linker.Option.captureCallState("errno");
        // open(2) is variadic: the mode argument is passed as one, and ignored without O_CREAT
        open =
            linker.downcallHandle(
                libc.find("open").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(2),
                keepErrno);
        openat =
            linker.downcallHandle(
                libc.find("openat").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT),
                Linker.Option.firstVariadicArg(3),
                keepErrno);
        syscall =
            linker.downcallHandle(
                libc.find("syscall").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.ADDRESS,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1),
                keepErrno);
        statx =
            linker.downcallHandle(
                libc.find("statx").orElseThrow(),
                FunctionDescriptor.of(
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS));
        close =
            linker.downcallHandle(
                libc.find("close").orElseThrow(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      } catch (RuntimeException | Error noNativeAccess) {
        open = null; // --illegal-native-access=deny: the hasher refuses rather than opening paths
      }
      OPEN = open;
      OPENAT = openat;
      SYSCALL = syscall;
      STATX = statx;
      CLOSE = close;
      CAPTURE = capture;
      ERRNO = errno;
      AVAILABLE = open != null && openat != null && statx != null && close != null;
      if (AVAILABLE && syscall != null) {
        try (Arena a = Arena.ofConfined()) { // kernels before 5.6 lack openat2: O_NOFOLLOW then
          long fd = openat2(a, "/", O_PATH | O_CLOEXEC, RESOLVE_NO_SYMLINKS);
          if (fd >= 0) {
            close((int) fd);
            openat2 = true;
          }
        } catch (Throwable ignored) {
          // stays false
        }
      }
      OPENAT2 = openat2;
    }

    private static long openat2(Arena a, String path, long flags, long resolve) throws Throwable {
      MemorySegment how = a.allocate(24, 8); // struct open_how { u64 flags, mode, resolve; }
      how.set(ValueLayout.JAVA_LONG, 0, flags);
      how.set(ValueLayout.JAVA_LONG, 8, 0);
      how.set(ValueLayout.JAVA_LONG, 16, resolve);
      MemorySegment state = a.allocate(CAPTURE);
      long r =
          (long) SYSCALL.invokeExact(state, SYS_OPENAT2, AT_FDCWD, a.allocateFrom(path), how, 24L);
      return r >= 0 ? r : -(int) ERRNO.get(state, 0L);
    }

    /**
     * An O_PATH descriptor: no symlink followed (ELOOP refused), except the kernel's own link
     * {@code /proc/PID/exe} when {@code magicExe}.
     */
    static int openPath(String path, boolean magicExe) throws IOException {
      try (Arena a = Arena.ofConfined()) {
        long r;
        if (magicExe) {
          MemorySegment state = a.allocate(CAPTURE);
          int fd = (int) OPEN.invokeExact(state, a.allocateFrom(path), O_PATH | O_CLOEXEC, 0);
          r = fd >= 0 ? fd : -(int) ERRNO.get(state, 0L);
        } else if (OPENAT2) {
          r =
              openat2(
                  a,
                  path,
                  O_PATH | O_NOFOLLOW | O_CLOEXEC,
                  RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
        } else {
          r = walk(a, path);
        }
        if (r == -ELOOP) {
          throw new Refused("symlink in " + path);
        }
        if (r < 0) {
          throw new IOException("cannot open " + path + ": errno " + -r);
        }
        return (int) r;
      } catch (IOException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException(t);
      }
    }

    /**
     * Without openat2: one openat(O_PATH|O_NOFOLLOW) per component from "/", so a symlink anywhere
     * on the way opens as itself and is refused here (or, the last one, by statx).
     */
    private static long walk(Arena a, String path) throws Throwable {
      MemorySegment state = a.allocate(CAPTURE);
      int dir =
          (int)
              OPENAT.invokeExact(state, (int) AT_FDCWD, a.allocateFrom("/"), O_PATH | O_CLOEXEC, 0);
      if (dir < 0) {
        return -(int) ERRNO.get(state, 0L);
      }
      String[] parts = path.substring(1).split("/");
      for (int i = 0; i < parts.length; i++) {
        String part = parts[i];
        if (part.isEmpty() || part.equals(".")) {
          continue;
        }
        if (part.equals("..")) {
          close(dir);
          return -ELOOP; // the kernel's paths carry none; one here is not the executed file's
        }
        int next =
            (int)
                OPENAT.invokeExact(
                    state, dir, a.allocateFrom(part), O_PATH | O_NOFOLLOW | O_CLOEXEC, 0);
        int err = next < 0 ? (int) ERRNO.get(state, 0L) : 0;
        close(dir);
        if (next < 0) {
          return -err;
        }
        if (i < parts.length - 1 && (stat(next).mode() & 0170000) != 0040000) {
          close(next);
          return -ELOOP; // a symlink (or anything but a directory) above the file
        }
        dir = next;
      }
      return dir;
    }

    /** statx(fd, "", AT_EMPTY_PATH): struct statx has one layout on every architecture. */
    static Stat stat(int fd) throws IOException {
      try (Arena a = Arena.ofConfined()) {
        MemorySegment sx = a.allocate(256, 8);
        int r =
            (int) STATX.invokeExact(fd, a.allocateFrom(""), AT_EMPTY_PATH, STATX_BASIC_STATS, sx);
        if (r != 0) {
          throw new IOException("statx failed");
        }
        int mode = Short.toUnsignedInt(sx.get(ValueLayout.JAVA_SHORT, 28));
        long ino = sx.get(ValueLayout.JAVA_LONG, 32);
        long size = sx.get(ValueLayout.JAVA_LONG, 40);
        long mtime =
            sx.get(ValueLayout.JAVA_LONG, 112) * 1_000_000_000L
                + Integer.toUnsignedLong(sx.get(ValueLayout.JAVA_INT, 120));
        long major = Integer.toUnsignedLong(sx.get(ValueLayout.JAVA_INT, 136));
        long minor = Integer.toUnsignedLong(sx.get(ValueLayout.JAVA_INT, 140));
        // glibc's makedev: the st_dev that keyOf and the event's key carry
        long dev =
            ((major & 0xfffff000L) << 32)
                | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12)
                | (minor & 0xffL);
        return new Stat(mode, new FileKey(dev, ino, size, mtime));
      } catch (IOException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException(t);
      }
    }

    static void close(int fd) {
      try {
        int unused = (int) CLOSE.invokeExact(fd);
      } catch (Throwable ignored) {
        // nothing to do about a failed close of a read-only descriptor
      }
    }
  }
}
