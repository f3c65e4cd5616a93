package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An executable on a FUSE file system that answers everyone but the agent (src/test/c/stuckfs.c),
 * as a user's hostile FUSE mount would: a request it takes from the agent never returns, and a
 * thread waiting on it cannot even be killed. The agent must not send it one: the exec is exported
 * without a hash, every other executable's hash still arrives, and the agent exits.
 */
class StuckFileSystemIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void aHashThatNeverAnswersHoldsUpNoOtherHash() throws Exception {
    Path server = dir.resolve("stuckfs");
    Process cc =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                "cc -O1 -o "
                    + server
                    + " src/test/c/stuckfs.c"
                    + " $(pkg-config fuse3 --cflags --libs)")
            .redirectErrorStream(true)
            .start();
    String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, cc.waitFor(), "building the FUSE server (libfuse3-dev): " + ccOut);
    Path mnt = Files.createDirectories(dir.resolve("mnt"));
    String tag = "stuck-" + System.nanoTime();
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      Process fs =
          new ProcessBuilder(
                  server.toString(), mnt.toString(), "/bin/true", Long.toString(agent.pid()))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("stuckfs.log").toFile())
              .start();
      try {
        Path prog = mnt.resolve("prog");
        for (int i = 0; i < 100 && !Files.exists(prog); i++) {
          Thread.sleep(50);
        }
        assertTrue(
            Files.exists(prog),
            "the FUSE file system is up: " + Files.readString(dir.resolve("stuckfs.log")));
        AgentProcess.run(
            dir, prog.toString(), tag, "on-fuse"); // served to us; the agent's hash of it waits
        Thread.sleep(500);
        // executables elsewhere, each its own file (a byte appended: a distinct hash), run after it
        List<Path> others = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          Path other = dir.resolve("other-" + i);
          byte[] bytes = Files.readAllBytes(Path.of("/bin/true"));
          byte[] changed = java.util.Arrays.copyOf(bytes, bytes.length + 1 + i);
          Files.write(other, changed);
          other.toFile().setExecutable(true);
          others.add(other);
          expected.add(
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(changed)));
          AgentProcess.run(dir, other.toString(), tag, "elsewhere");
        }
        Thread.sleep(3_000);
        long stopStarted = System.nanoTime();
        assertEquals(0, agent.stop(), agent.stderrText());
        long stopSeconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopStarted);
        assertTrue(stopSeconds < 30, "stopped in " + stopSeconds + " s with a hash stuck");

        assertFalse(
            Files.readString(dir.resolve("stuckfs.log")).contains("holding a request of the agent"),
            "the agent asked the FUSE server nothing: "
                + Files.readString(dir.resolve("stuckfs.log")));
        List<ExportedLog> records = agent.records();
        List<ExportedLog> execs =
            records.stream()
                .filter(
                    r ->
                        "process.exec".equals(r.eventName())
                            && r.args() != null
                            && r.args().contains(tag))
                .toList();
        ExportedLog onFuse =
            execs.stream()
                .filter(r -> prog.toString().equals(r.attr("process.executable.path")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the exec from the FUSE mount is exported"));
        assertEquals(
            null,
            ExportedLog.executableHash(records, onFuse).orElse(null),
            "nothing a FUSE server answers for is read");
        assertTrue(agent.summaryCount("refused") >= 1, agent.stderrText());
        for (int i = 0; i < others.size(); i++) {
          String path = others.get(i).toString();
          ExportedLog exec =
              execs.stream()
                  .filter(r -> path.equals(r.attr("process.executable.path")))
                  .findFirst()
                  .orElseThrow(() -> new AssertionError("no exec of " + path));
          assertEquals(
              expected.get(i),
              ExportedLog.executableHash(records, exec).orElse(null),
              "the hash of " + path + " arrived");
        }
      } finally {
        fs.destroyForcibly();
        new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor(10, TimeUnit.SECONDS);
        fs.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
