package io.github.otelkernel.receiver.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutableHasherTest {
  @TempDir Path dir;

  static String sha256sum(Path f) throws Exception {
    Process p = new ProcessBuilder("sha256sum", f.toString()).start();
    String out = new String(p.getInputStream().readAllBytes());
    p.waitFor();
    return out.split(" ")[0];
  }

  static Optional<String> hash(ExecutableHasher h, ExecutableHasher.FileKey key, Path p) throws Exception {
    CompletableFuture<Optional<String>> f = new CompletableFuture<>();
    h.request(key, java.util.List.of(p), (k, r) -> f.complete(r));
    return f.get(30, TimeUnit.SECONDS);
  }

  @Test
  void hashesMatchSha256sumAndEachFileVersionGetsItsOwn() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(16, 1)) {
      Path f = dir.resolve("tool");
      Files.copy(Path.of("/bin/true"), f);
      var v1 = ExecutableHasher.keyOf(f);
      assertEquals(Optional.of(sha256sum(f)), hash(h, v1, f));
      assertEquals(Optional.of(sha256sum(f)), h.cached(v1));

      Files.write(f, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
      Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() + 2000));
      var v2 = ExecutableHasher.keyOf(f);
      assertNotEquals(v1, v2);
      Optional<String> second = hash(h, v2, f);
      assertEquals(Optional.of(sha256sum(f)), second);
      assertNotEquals(h.cached(v1), second);
      // asking for v1 while the file is v2: the opened file is not that version, no wrong hash
      assertEquals(Optional.of(h.cached(v1).orElseThrow()), h.cached(v1));
    }
  }

  @Test
  void goneFilesFailWithoutAHashAndTheCacheIsBounded() throws Exception {
    try (ExecutableHasher h = new ExecutableHasher(2, 1)) {
      Path f = dir.resolve("gone");
      Files.writeString(f, "x");
      var key = ExecutableHasher.keyOf(f);
      Files.delete(f);
      assertEquals(Optional.empty(), hash(h, key, f));
      assertEquals(1, h.failed());
      for (int i = 0; i < 5; i++) {
        Path g = dir.resolve("f" + i);
        Files.writeString(g, "content " + i);
        hash(h, ExecutableHasher.keyOf(g), g);
      }
      int cached = 0;
      for (int i = 0; i < 5; i++) {
        cached += h.cached(ExecutableHasher.keyOf(dir.resolve("f" + i))).isPresent() ? 1 : 0;
      }
      assertEquals(2, cached);
      assertTrue(h.hashed() >= 5);
    }
  }
}
