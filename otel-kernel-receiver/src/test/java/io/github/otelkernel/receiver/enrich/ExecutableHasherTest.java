package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.enrich.ExecutableHasher.FileKey;
import java.io.FileInputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableHasherTest {
  @TempDir Path dir;

  static String sha256sum(Path f) throws Exception {
    Process p = new ProcessBuilder("sha256sum", f.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor());
    return out.split(" ")[0];
  }

  static Optional<String> hash(ExecutableHasher h, FileKey key, Path... paths) throws Exception {
    CompletableFuture<Optional<String>> f = new CompletableFuture<>();
    h.request(key, List.of(paths), (k, r) -> f.complete(r));
    return f.get(30, TimeUnit.SECONDS);
  }

  Path copyOf(String exe, String name) throws Exception {
    Path f = dir.resolve(name);
    Files.copy(Path.of(exe), f);
    return f;
  }

  @Test
  void hashesMatchSha256sum() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      Path f = copyOf("/bin/true", "tool");
      FileKey key = ExecutableHasher.keyOf(f);
      CompletableFuture<Optional<String>> done = new CompletableFuture<>();
      h.request(key, f, (k, r) -> done.complete(r));
      assertEquals(Optional.of(sha256sum(f)), done.get(30, TimeUnit.SECONDS));
      assertEquals(Optional.of(sha256sum(f)), h.cached(key));
      assertEquals(Optional.of(sha256sum(f)), hash(h, key, f)); // answered from the cache
      assertEquals(1, h.hashed());
      assertEquals(2, h.cacheHits());
      // larger than the read buffer and not a multiple of it: streamed
      Path big = dir.resolve("big");
      byte[] chunk = new byte[100_003];
      for (int i = 0; i < chunk.length; i++) {
        chunk[i] = (byte) (i * 31);
      }
      for (int i = 0; i < 40; i++) {
        Files.write(big, chunk, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
      }
      assertEquals(Optional.of(sha256sum(big)), hash(h, ExecutableHasher.keyOf(big), big));
    }
  }

  @Test
  void eachFileVersionGetsItsOwnHash() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      Path f = copyOf("/bin/true", "tool");
      FileKey v1 = ExecutableHasher.keyOf(f);
      String sha1 = hash(h, v1, f).orElseThrow();

      Files.write(f, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
      Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 2000));
      FileKey v2 = ExecutableHasher.keyOf(f);
      assertNotEquals(v1, v2);
      assertEquals(Optional.of(sha256sum(f)), hash(h, v2, f));
      assertNotEquals(Optional.of(sha1), h.cached(v2));
      assertEquals(Optional.of(sha1), h.cached(v1)); // the old version keeps its hash
    }
    try (ExecutableHasher fresh = new ExecutableHasher(16, 1)) {
      // asking for the old version of a file that is now another: no hash rather than a wrong one
      Path f = copyOf("/bin/true", "tool2");
      FileKey v1 = ExecutableHasher.keyOf(f);
      Files.writeString(f, "replaced");
      assertEquals(Optional.empty(), hash(fresh, v1, f));
      assertEquals(1, fresh.failed());
    }
  }

  @Test
  void theCacheIsBounded() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(2, 1)) {
      List<FileKey> keys = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        Path g = dir.resolve("f" + i);
        Files.writeString(g, "content " + i);
        keys.add(ExecutableHasher.keyOf(g));
        assertTrue(hash(h, keys.get(i), g).isPresent());
      }
      assertEquals(
          List.of(false, false, false, true, true),
          keys.stream().map(k -> h.cached(k).isPresent()).toList());
      assertEquals(5, h.hashed());
    }
  }

  @Test
  void aRecentlyUsedEntryOutlivesNewerOnes() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(2, 1)) {
      Path a = dir.resolve("a");
      Path b = dir.resolve("b");
      Path c = dir.resolve("c");
      for (Path p : List.of(a, b, c)) {
        Files.writeString(p, p.getFileName().toString());
      }
      hash(h, ExecutableHasher.keyOf(a), a);
      hash(h, ExecutableHasher.keyOf(b), b);
      assertTrue(h.cached(ExecutableHasher.keyOf(a)).isPresent()); // a is now the most recent
      hash(h, ExecutableHasher.keyOf(c), c);
      assertTrue(h.cached(ExecutableHasher.keyOf(a)).isPresent());
      assertTrue(h.cached(ExecutableHasher.keyOf(b)).isEmpty());
    }
  }

  @Test
  void aFileRemovedBeforeHashingGivesNoHash() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      Path f = dir.resolve("gone");
      Files.writeString(f, "x");
      FileKey key = ExecutableHasher.keyOf(f);
      Files.delete(f);
      assertEquals(Optional.empty(), hash(h, key, f));
      assertEquals(1, h.failed());
      assertEquals(0, h.hashed());
    }
  }

  @Test
  void procPidExeHashesTheExecutedFileAfterItWasDeleted() throws Exception {
    Path exe = copyOf("/bin/sleep", "sleeper");
    exe.toFile().setExecutable(true);
    String expected = sha256sum(exe);
    FileKey key = ExecutableHasher.keyOf(exe);
    Process p = new ProcessBuilder(exe.toString(), "30").start();
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      Path procExe = Path.of("/proc/" + p.pid() + "/exe");
      for (int i = 0; i < 200 && !ExecutableHasher.keyOf(procExe).equals(key); i++) {
        Thread.sleep(10); // until the child has exec'd
      }
      Files.delete(exe);
      assertEquals(Optional.of(expected), hash(h, key, procExe, exe));
    } finally {
      p.destroyForcibly().waitFor();
    }
  }

  @Test
  void aFifoAtTheFallbackPathDoesNotHangTheHasher() throws Exception {
    // the process exited and someone put a FIFO where its executable was: open(2) would wait for a
    // writer
    Path exe = copyOf("/bin/true", "tool");
    FileKey key = ExecutableHasher.keyOf(exe);
    Files.delete(exe);
    assertEquals(0, new ProcessBuilder("mkfifo", exe.toString()).start().waitFor());
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      assertEquals(Optional.empty(), hash(h, key, Path.of("/proc/2147483647/exe"), exe));
      assertEquals(
          1, h.refused()); // the FIFO: opened O_PATH, seen not to be a regular file, never read
      Path ok = dir.resolve("ok");
      Files.writeString(ok, "still hashing");
      assertEquals(Optional.of(sha256sum(ok)), hash(h, ExecutableHasher.keyOf(ok), ok));
    }
  }

  @Test
  void filesOverTheCapAreNotHashed() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(16, 1, 10)) {
      Path big = dir.resolve("big");
      Files.writeString(big, "eleven byte");
      assertEquals(Optional.empty(), hash(h, ExecutableHasher.keyOf(big), big));
      assertEquals(1, h.tooLarge());
      assertEquals(0, h.failed());
      Path small = dir.resolve("small");
      Files.writeString(small, "ten bytes!");
      assertEquals(Optional.of(sha256sum(small)), hash(h, ExecutableHasher.keyOf(small), small));
      // the snapshot reports agree with the counters they were read from
      ExecutableHasher.Counts c = h.counts();
      assertEquals(new ExecutableHasher.Counts(1, 0, 0, 0, 1, 0, 0), c);
      assertEquals(1, c.withoutHash());
      assertEquals(
          List.of(
              "hashed=1",
              "cache_hits=0",
              "failed=0",
              "dropped=0",
              "too_large=1",
              "refused=0",
              "timed_out=0"),
          c.asList());
    }
  }

  @Test
  void concurrentRequestsForOneVersionHashOnceAndCallEachBackOnce() throws Exception {
    Path f = copyOf("/bin/true", "tool");
    FileKey key = ExecutableHasher.keyOf(f);
    String expected = sha256sum(f);
    try (ExecutableHasher h = new ExecutableHasher(16, 4)) {
      int n = 64;
      CountDownLatch start = new CountDownLatch(1);
      CountDownLatch done = new CountDownLatch(n);
      Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
      Map<Integer, Optional<String>> results = new ConcurrentHashMap<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int me = i;
        threads.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        start.await();
                      } catch (InterruptedException e) {
                        return;
                      }
                      h.request(
                          key,
                          f,
                          (k, r) -> {
                            calls.computeIfAbsent(me, x -> new AtomicInteger()).incrementAndGet();
                            results.put(me, r);
                            done.countDown();
                          });
                    }));
      }
      start.countDown();
      for (Thread t : threads) {
        t.join();
      }
      assertTrue(done.await(30, TimeUnit.SECONDS));
      Thread.sleep(100); // room for a second, wrong call
      assertEquals(n, calls.size());
      calls.forEach((i, c) -> assertEquals(1, c.get(), "callback " + i));
      results.forEach((i, r) -> assertEquals(Optional.of(expected), r, "result " + i));
      assertEquals(1, h.hashed());
    }
  }

  @Test
  void closeAnswersRequestsStillWaiting() throws Exception {
    Path a = dir.resolve("a");
    Path b = dir.resolve("b");
    Files.writeString(a, "a");
    Files.writeString(b, "b");
    ExecutableHasher h = new ExecutableHasher(16, 1);
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    h.request(
        ExecutableHasher.keyOf(a),
        a,
        (k, r) -> { // holds the only hasher thread
          inCallback.countDown();
          try {
            never.await();
          } catch (InterruptedException closing) {
            // close() interrupts
          }
        });
    assertTrue(inCallback.await(30, TimeUnit.SECONDS));
    CompletableFuture<Optional<String>> queued = new CompletableFuture<>();
    h.request(ExecutableHasher.keyOf(b), b, (k, r) -> queued.complete(r));
    h.close();
    assertEquals(Optional.empty(), queued.get(5, TimeUnit.SECONDS));
  }

  @Test
  void aSymlinkAtThePathIsNotFollowed() throws Exception {
    Path exe = copyOf("/bin/true", "tool");
    FileKey key = ExecutableHasher.keyOf(exe);
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      // swapped for a link to a character device: nothing is opened there, no hash
      Path moved = dir.resolve("moved");
      Files.move(exe, moved);
      Files.createSymbolicLink(exe, Path.of("/dev/zero"));
      assertEquals(Optional.empty(), hash(h, key, exe));
      assertEquals(1, h.refused());
      Files.delete(exe);
      Files.createSymbolicLink(exe, Path.of("/dev/urandom"));
      assertEquals(Optional.empty(), hash(h, key, exe));
      assertEquals(2, h.refused());
      // not even to the very file of that version: the link is refused, not checked
      Files.delete(exe);
      Files.createSymbolicLink(exe, moved);
      assertEquals(Optional.empty(), hash(h, key, exe));
      assertEquals(3, h.refused());
      // nor a link to a directory above it
      Path real = Files.createDirectory(dir.resolve("real"));
      Files.move(moved, real.resolve("tool"));
      Files.createSymbolicLink(dir.resolve("link"), real);
      assertEquals(Optional.empty(), hash(h, key, dir.resolve("link").resolve("tool")));
      assertEquals(4, h.refused());
      assertEquals(4, h.failed());
      assertEquals(0, h.hashed());
      assertEquals(
          Optional.of(sha256sum(real.resolve("tool"))), hash(h, key, real.resolve("tool")));
    }
  }

  @Test
  void aFileOfAnotherInodeOrSizeGetsNoHash() throws Exception {
    Path f = copyOf("/bin/true", "tool");
    FileKey key = ExecutableHasher.keyOf(f);
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      FileKey otherInode = new FileKey(key.device(), key.inode() + 1, key.size(), key.mtimeNanos());
      FileKey otherSize = new FileKey(key.device(), key.inode(), key.size() - 1, key.mtimeNanos());
      FileKey otherDevice =
          new FileKey(key.device() + 1, key.inode(), key.size(), key.mtimeNanos());
      FileKey otherMtime = new FileKey(key.device(), key.inode(), key.size(), key.mtimeNanos() + 1);
      for (FileKey k : List.of(otherInode, otherSize, otherDevice, otherMtime)) {
        assertEquals(Optional.empty(), hash(h, k, f), k.toString());
      }
      assertEquals(4, h.failed());
      assertEquals(0, h.hashed());
      assertEquals(0, h.refused()); // a regular file, just not that version
      assertEquals(Optional.of(sha256sum(f)), hash(h, key, f));
    }
  }

  @Test
  void memfdAndDeletedPathsAreRefused() throws Exception {
    // a file really named like that, of the requested version: the name says the executed one is
    // gone
    Path f = copyOf("/bin/true", "tool (deleted)");
    FileKey key = ExecutableHasher.keyOf(f);
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      assertEquals(Optional.empty(), hash(h, key, Path.of("/memfd:payload (deleted)")));
      assertEquals(Optional.empty(), hash(h, key, Path.of("/memfd:payload")));
      assertEquals(Optional.empty(), hash(h, key, f));
      assertEquals(3, h.refused());
      assertEquals(0, h.hashed());
    }
  }

  @Test
  void aStuckReadIsAbandonedAndOtherFilesStillGetTheirHash() throws Exception {
    // no FUSE here: a named pipe opened read-write, read through a plain stream, blocks in read(2)
    // and ignores interrupts, as a FUSE daemon that never answers would
    Path stuck = dir.resolve("stuck");
    Files.writeString(stuck, "never read");
    FileKey stuckKey = ExecutableHasher.keyOf(stuck);
    Path fifo = dir.resolve("pipe");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    RandomAccessFile pipe = new RandomAccessFile(fifo.toFile(), "rw");
    CountDownLatch reading = new CountDownLatch(1);
    ExecutableHasher.Reader reader =
        (k, fd) -> {
          if (!k.equals(stuckKey)) {
            return FileChannel.open(fd, StandardOpenOption.READ);
          }
          FileInputStream in = new FileInputStream(pipe.getFD());
          return new ReadableByteChannel() {
            boolean done;

            @Override
            public int read(ByteBuffer dst) throws java.io.IOException {
              if (done) {
                return -1;
              }
              reading.countDown();
              byte[] b = new byte[1];
              int n = in.read(b); // blocks until the test writes
              done = true;
              return n < 0 ? -1 : 0;
            }

            @Override
            public boolean isOpen() {
              return true;
            }

            @Override
            public void close() {}
          };
        };
    // /dev/shm is another device than the temp dir
    Path elsewhere = Files.createTempFile(Path.of("/dev/shm"), "hasher-test", "");
    try (ExecutableHasher h =
        new ExecutableHasher(
            16, 1, ExecutableHasher.DEFAULT_MAX_BYTES, Duration.ofMillis(500), reader)) {
      assertTrue(stuckKey.device() != ExecutableHasher.keyOf(elsewhere).device());
      int extra = 3;
      CountDownLatch answered = new CountDownLatch(ExecutableHasher.MAX_WAITERS_PER_FILE + extra);
      Map<Integer, Optional<String>> results = new ConcurrentHashMap<>();
      for (int i = 0; i < ExecutableHasher.MAX_WAITERS_PER_FILE + extra; i++) {
        int me = i;
        h.request(
            stuckKey,
            stuck,
            (k, r) -> {
              results.put(me, r);
              answered.countDown();
            });
      }
      assertEquals(
          extra, h.dropped()); // the waiters of one file are bounded: the rest answered at once
      assertTrue(reading.await(10, TimeUnit.SECONDS));
      // the only hasher thread is stuck; the watchdog answers its waiters and replaces it
      assertTrue(answered.await(10, TimeUnit.SECONDS));
      results.forEach((i, r) -> assertEquals(Optional.empty(), r, "result " + i));
      assertEquals(1, h.timedOut());
      Files.writeString(elsewhere, "another device");
      assertEquals(
          Optional.of(sha256sum(elsewhere)), hash(h, ExecutableHasher.keyOf(elsewhere), elsewhere));
      // the stuck device is not sent another thread while its read has not come back
      Path sameDevice = dir.resolve("same-device");
      Files.writeString(sameDevice, "waits its turn");
      assertEquals(Optional.empty(), hash(h, ExecutableHasher.keyOf(sameDevice), sameDevice));
      assertEquals(2, h.timedOut());
      // the read comes back: that device is hashed again
      pipe.write(1);
      Optional<String> later = Optional.empty();
      for (int i = 0; i < 200 && later.isEmpty(); i++) {
        later = hash(h, ExecutableHasher.keyOf(sameDevice), sameDevice);
        Thread.sleep(10);
      }
      assertEquals(Optional.of(sha256sum(sameDevice)), later);
    } finally {
      pipe.close();
      Files.deleteIfExists(elsewhere);
    }
  }
}
