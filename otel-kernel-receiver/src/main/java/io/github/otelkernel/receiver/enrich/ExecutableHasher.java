package io.github.otelkernel.receiver.enrich;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * SHA-256 of executed files, computed on its own threads and cached per file version, so the
 * event path only ever does a map lookup.
 */
public final class ExecutableHasher implements AutoCloseable {
  /** A file's content version: device (st_dev), inode, size and modification time. */
  public record FileKey(long device, long inode, long size, long mtimeNanos) {}

  static final long DEFAULT_MAX_BYTES = 512L << 20;

  private final int maxEntries;
  private final long maxBytes;
  private final Map<FileKey, String> cache;
  private final Map<FileKey, List<BiConsumer<FileKey, Optional<String>>>> inFlight = new java.util.HashMap<>();
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
    this.cache = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<FileKey, String> eldest) {
        return size() > ExecutableHasher.this.maxEntries;
      }
    };
    this.executor = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024), r -> {
      Thread t = new Thread(r, "exe-hasher");
      t.setDaemon(true);
      t.setPriority(Thread.MIN_PRIORITY);
      return t;
    });
  }

  public Optional<String> cached(FileKey key) {
    synchronized (cache) {
      String h = cache.get(key);
      if (h != null) {
        cacheHits.incrementAndGet();
      }
      return Optional.ofNullable(h);
    }
  }

  /**
   * Hashes the first of {@code paths} that is still this version, unless it is cached or already
   * being hashed; calls back either way.
   */
  public void request(FileKey key, List<Path> paths, BiConsumer<FileKey, Optional<String>> whenDone) {
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
      waiting = new ArrayList<>();
      waiting.add(whenDone);
      inFlight.put(key, waiting);
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
    } catch (java.util.concurrent.RejectedExecutionException full) {
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
    if (waiting != null) {
      for (var cb : waiting) {
        try {
          cb.accept(key, result);
        } catch (RuntimeException ignored) {
          // one callback's failure must not starve the others
        }
      }
    }
  }

  private Optional<String> hash(FileKey expected, Path path) {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      // the file opened must be the version the kernel executed, before and after reading
      if (!expected.equals(keyOf(path))) {
        return Optional.empty();
      }
      if (ch.size() > maxBytes) {
        tooLarge.incrementAndGet();
        return Optional.empty();
      }
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      try (InputStream in = Channels.newInputStream(ch)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          sha.update(buf, 0, n);
        }
      }
      if (!expected.equals(keyOf(path))) {
        return Optional.empty();
      }
      hashed.incrementAndGet();
      return Optional.of(HexFormat.of().formatHex(sha.digest()));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // gone, or not readable
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

  public long failed() {
    return failed.get();
  }

  public long droppedRequests() {
    return dropped.get();
  }

  public long tooLarge() {
    return tooLarge.get();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
