package io.github.otelkernel.receiver.pipeline;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * Whether the previous run stopped cleanly. The agent notes in its state directory that it runs (at
 * start, with each health record) and that it stopped (at a clean stop); a start that finds
 * "running" knows the previous run was killed, crashed or lost power, and says so, with when it was
 * last seen: the gap a SOC must treat as unobserved. A lock keeps two agents sharing the directory
 * from reading each other's state as unclean.
 */
final class RunState implements AutoCloseable {
  static final String FILE = "run.state";
  static final String LOCK = "agent.lock";

  /** What the previous run last noted before it ended without a clean stop. */
  record Unclean(long pid, Instant started, Instant lastSeen, long received) {}

  private final Path dir;
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Optional<Unclean> previous;

  /** The previous unclean stop, noted in the file until a health record has reported it. */
  private volatile Optional<Unclean> unreported;

  private final long pid = ProcessHandle.current().pid();
  private final Instant started = Instant.now();

  private RunState(Path dir, FileChannel lockChannel, FileLock lock, Optional<Unclean> previous) {
    this.dir = dir;
    this.lockChannel = lockChannel;
    this.lock = lock;
    this.previous = previous;
    this.unreported = previous;
  }

  /**
   * Takes the state directory: created 0700 when missing, refused when others could write to it.
   * Throws with the reason when it cannot be used; the agent then runs without the check.
   */
  static RunState open(Path dir) throws IOException {
    SafeFiles.createPrivateDirectory(dir);
    Path lockFile = dir.resolve(LOCK);
    SafeFiles.checkRegularIfExists(lockFile);
    FileChannel ch =
        FileChannel.open(
            lockFile,
            Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (IOException | RuntimeException e) {
      ch.close();
      throw e;
    }
    if (lock == null) {
      ch.close();
      throw new IOException("another agent is running with the state directory " + dir);
    }
    RunState s = new RunState(dir, ch, lock, readUnclean(dir.resolve(FILE)));
    s.save("running", 0);
    return s;
  }

  private static Optional<Unclean> readUnclean(Path file) {
    try {
      SafeFiles.checkRegularIfExists(file);
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS) || Files.size(file) > 4096) {
        return Optional.empty();
      }
      Properties p = new Properties();
      p.load(new StringReader(Files.readString(file, StandardCharsets.UTF_8)));
      if (p.getProperty("gap_last_seen") != null) {
        // an earlier unclean stop that no health record has reported yet (a start that failed, or
        // died before its first one): the unobserved gap began there
        return Optional.of(
            new Unclean(
                Long.parseLong(p.getProperty("gap_pid", "0")),
                Instant.parse(p.getProperty("gap_started")),
                Instant.parse(p.getProperty("gap_last_seen")),
                Long.parseLong(p.getProperty("gap_received", "0"))));
      }
      if (!"running".equals(p.getProperty("state"))) {
        return Optional.empty();
      }
      return Optional.of(
          new Unclean(
              Long.parseLong(p.getProperty("pid", "0")),
              Instant.parse(p.getProperty("started")),
              Instant.parse(p.getProperty("last_seen")),
              Long.parseLong(p.getProperty("received", "0"))));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // unreadable: nothing to report rather than a guess
    }
  }

  Optional<Unclean> previous() {
    return previous;
  }

  /** A health record has carried the previous unclean stop: it need not be kept any longer. */
  void reported() {
    unreported = Optional.empty();
  }

  /** Notes that the agent is alive, with what it has received so far. */
  void alive(long received) {
    try {
      save("running", received);
    } catch (IOException e) {
      // the next start then sees an older last_seen: the gap is reported wider, not hidden
    }
  }

  private synchronized void save(String state, long received) throws IOException {
    String text =
        "state="
            + state
            + "\npid="
            + pid
            + "\nstarted="
            + started
            + "\nlast_seen="
            + Instant.now()
            + "\nreceived="
            + received
            + "\n";
    Optional<Unclean> gap = unreported;
    if (gap != null && gap.isPresent()) {
      Unclean u = gap.get();
      text +=
          "gap_pid="
              + u.pid()
              + "\ngap_started="
              + u.started()
              + "\ngap_last_seen="
              + u.lastSeen()
              + "\ngap_received="
              + u.received()
              + "\n";
    }
    Path tmp = dir.resolve(FILE + "." + Long.toUnsignedString(System.nanoTime(), 36) + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ch.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
      ch.force(false);
    }
    try {
      Files.move(
          tmp,
          dir.resolve(FILE),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }

  /** A clean stop: the next start finds "stopped". */
  void stopped(long received) {
    try {
      save("stopped", received);
    } catch (IOException e) {
      // reported as unclean at the next start: wrong in the safe direction
    }
    close();
  }

  @Override
  public void close() {
    try {
      lock.release();
      lockChannel.close();
    } catch (IOException e) {
      // the lock goes with the process anyway
    }
  }
}
