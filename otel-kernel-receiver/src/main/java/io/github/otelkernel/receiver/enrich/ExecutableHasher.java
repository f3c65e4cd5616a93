package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * SHA-256 of executed files, computed on its own threads and cached per file version, so the
 * event path only ever does a map lookup.
 *
 * <p>The file is opened once, non-blocking (a FIFO put where the executable was cannot hang a
 * hasher thread), and everything after that goes through {@code /proc/self/fd/N}: the version
 * check before and after reading is a stat of the opened file itself, so swapping the file or a
 * directory above it between the checks and the read cannot attach another file's hash to this
 * version. Without native access (FFM) the checks stat the path instead, which leaves that window.
 */
public final class ExecutableHasher implements AutoCloseable {
  /** A file's content version: device (st_dev), inode, size and modification time. */
  public record FileKey(long device, long inode, long size, long mtimeNanos) {}

  static final long DEFAULT_MAX_BYTES = 512L << 20;
  static final int MAX_PENDING = 1024;

  private final int maxEntries;
  private final long maxBytes;
  private final Map<FileKey, String> cache;
  private final Map<FileKey, List<BiConsumer<FileKey, Optional<String>>>> inFlight = new HashMap<>();
  private final ThreadPoolExecutor executor;
  private final AtomicLong hashed = new AtomicLong();
  private final AtomicLong cacheHits = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong tooLarge = new AtomicLong();

  public ExecutableHasher(int maxEntries, int threads) {
    this(maxEntries, threads, DEFAULT_MAX_BYTES);
  }

  public ExecutableHasher(int maxEntries, int threads, long maxBytes) {
    this.maxEntries = maxEntries;
    this.maxBytes = maxBytes;
    this.cache = new LinkedHashMap<>(16, 0.75f, true) { // access order: least recently used first
      @Override
      protected boolean removeEldestEntry(Map.Entry<FileKey, String> eldest) {
        return size() > ExecutableHasher.this.maxEntries;
      }
    };
    this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(MAX_PENDING), r -> {
          Thread t = new Thread(r, "exe-hasher");
          t.setDaemon(true);
          t.setPriority(Thread.MIN_PRIORITY); // hashing must not compete with the event path
          return t;
        });
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
   * being hashed; {@code whenDone} is called exactly once either way (on a hasher thread, or on
   * the caller's when the answer is immediate).
   */
  public void request(FileKey key, List<Path> paths, BiConsumer<FileKey, Optional<String>> whenDone) {
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
    synchronized (inFlight) {
      List<BiConsumer<FileKey, Optional<String>>> waiting = inFlight.get(key);
      if (waiting != null) {
        waiting.add(whenDone);
        return;
      }
      // finish() caches before it leaves inFlight: look again, or a request racing with it hashes twice
      hit = cached(key);
      if (hit.isEmpty()) {
        waiting = new ArrayList<>();
        waiting.add(whenDone);
        inFlight.put(key, waiting);
      }
    }
    if (hit.isPresent()) {
      whenDone.accept(key, hit);
      return;
    }
    try {
      executor.execute(() -> {
        Optional<String> result = Optional.empty();
        for (Path p : paths) {
          result = hash(key, p);
          if (result.isPresent()) {
            break;
          }
        }
        if (result.isEmpty()) {
          failed.incrementAndGet();
        }
        finish(key, result);
      });
    } catch (RejectedExecutionException full) {
      dropped.incrementAndGet();
      finish(key, Optional.empty());
    }
  }

  private void finish(FileKey key, Optional<String> result) {
    result.ifPresent(h -> {
      synchronized (cache) {
        cache.put(key, h);
      }
    });
    List<BiConsumer<FileKey, Optional<String>>> waiting;
    synchronized (inFlight) {
      waiting = inFlight.remove(key);
    }
    notify(key, waiting, result);
  }

  private static void notify(FileKey key, List<BiConsumer<FileKey, Optional<String>>> waiting, Optional<String> result) {
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

  private Optional<String> hash(FileKey expected, Path path) {
    try (Opened f = Opened.open(path)) {
      if (!expected.equals(keyOf(f.path()))) {
        return Optional.empty(); // another version, or not a regular file at all
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      long total = 0;
      try (FileChannel ch = FileChannel.open(f.path(), StandardOpenOption.READ)) {
        ByteBuffer buf = ByteBuffer.allocate(1 << 16); // streamed: memory stays at one buffer
        int n;
        while ((n = ch.read(buf)) >= 0) {
          total += n;
          if (total > expected.size()) {
            return Optional.empty(); // grew while being read
          }
          buf.flip();
          sha.update(buf);
          buf.clear();
        }
      }
      if (total != expected.size() || !expected.equals(keyOf(f.path()))) {
        return Optional.empty(); // changed while being read
      }
      hashed.incrementAndGet();
      return Optional.of(HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has SHA-256
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, not readable, or the process exited
    }
  }

  /** The version key of a file, from its unix attributes (follows /proc/PID/exe to the executed file). */
  public static FileKey keyOf(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime");
    FileTime mtime = (FileTime) a.get("lastModifiedTime");
    long nanos = mtime.to(TimeUnit.SECONDS) * 1_000_000_000L + mtime.toInstant().getNano();
    return new FileKey((Long) a.get("dev"), (Long) a.get("ino"), (Long) a.get("size"), nanos);
  }

  public long hashed() {
    return hashed.get();
  }

  public long cacheHits() {
    return cacheHits.get();
  }

  /** Requests for which no path gave a hash of that version (gone, replaced, unreadable). */
  public long failed() {
    return failed.get();
  }

  /** Requests refused because {@value #MAX_PENDING} were already waiting. */
  public long droppedRequests() {
    return dropped.get();
  }

  /** Requests for files larger than the cap; not counted as failed. */
  public long tooLarge() {
    return tooLarge.get();
  }

  /** Stops hashing; requests still waiting get their callback with an empty result. */
  @Override
  public void close() {
    executor.shutdownNow();
    List<Map.Entry<FileKey, List<BiConsumer<FileKey, Optional<String>>>>> pending;
    synchronized (inFlight) {
      pending = new ArrayList<>(inFlight.entrySet());
      inFlight.clear();
    }
    for (var e : pending) {
      notify(e.getKey(), e.getValue(), Optional.empty());
    }
  }

  /**
   * A file opened once with open(2) (O_NONBLOCK: a FIFO or device cannot hang the thread), seen
   * through /proc/self/fd/N: stat and re-open there reach that very file, whatever happens to its
   * path. Without native access: the path itself, checked to be a regular file first.
   */
  private record Opened(int fd, Path path) implements AutoCloseable {
    private static final int O_RDONLY_NONBLOCK_NOCTTY_CLOEXEC = 0 | 0x800 | 0x100 | 0x80000; // same on x86-64 and arm64
    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;

    static {
      MethodHandle open = null;
      MethodHandle close = null;
      try {
        Linker linker = Linker.nativeLinker();
        var libc = linker.defaultLookup();
        // open(2) is variadic: the mode argument is passed as one, and ignored without O_CREAT
        open = linker.downcallHandle(libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.firstVariadicArg(2));
        close = linker.downcallHandle(libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
      } catch (RuntimeException | Error noNativeAccess) {
        open = null; // --illegal-native-access=deny: fall back to the path
        close = null;
      }
      OPEN = open;
      CLOSE = close;
    }

    static Opened open(Path path) throws IOException {
      if (OPEN == null) {
        if (!Files.isRegularFile(path)) {
          throw new IOException("not a regular file: " + path);
        }
        return new Opened(-1, path);
      }
      int fd;
      try (Arena a = Arena.ofConfined()) {
        fd = (int) OPEN.invokeExact(a.allocateFrom(path.toString()), O_RDONLY_NONBLOCK_NOCTTY_CLOEXEC, 0);
      } catch (Throwable t) {
        throw new IOException(t);
      }
      if (fd < 0) {
        throw new IOException("cannot open " + path);
      }
      return new Opened(fd, Path.of("/proc/self/fd/" + fd));
    }

    @Override
    public void close() {
      if (fd >= 0) {
        try {
          int unused = (int) CLOSE.invokeExact(fd);
        } catch (Throwable ignored) {
          // nothing to do about a failed close of a read-only descriptor
        }
      }
    }
  }
}
