package io.github.otelkernel.receiver.export;

import io.github.otelkernel.receiver.files.SafeFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file exporter's output: each line is built in memory and written with one write, so a full
 * disk fails the line (truncated back) instead of tearing it; rotates path to path.1 … path.N.
 */
final class LineFileOutput extends OutputStream {
  private final Path path;
  private final long maxBytes;
  private final int maxBackups;
  private final ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
  private FileChannel ch;

  LineFileOutput(Path path, long maxBytes, int maxBackups) throws IOException {
    this.path = path;
    this.maxBytes = maxBytes;
    this.maxBackups = maxBackups;
    this.ch = SafeFiles.openForAppend(path);
  }

  @Override
  public void write(int b) throws IOException {
    line.write(b);
    if (b == '\n') {
      writeLine();
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    for (int i = off; i < off + len; i++) {
      write(b[i]);
    }
  }

  private void writeLine() throws IOException {
    byte[] data = line.toByteArray();
    line.reset();
    if (maxBytes > 0 && ch.size() > 0 && ch.size() + data.length > maxBytes) {
      rotate();
    }
    long before = ch.size();
    try {
      ByteBuffer buf = ByteBuffer.wrap(data);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
    } catch (IOException e) {
      try {
        ch.truncate(before); // no torn line for a reader to choke on
      } catch (IOException ignored) {
        // the failure itself is reported
      }
      throw e;
    }
  }

  private void rotate() throws IOException {
    ch.close();
    for (int i = maxBackups - 1; i >= 1; i--) {
      Path from = backup(i);
      if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
        Files.move(
            from, backup(i + 1), StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
      }
    }
    if (maxBackups > 0) {
      Files.move(path, backup(1), StandardCopyOption.REPLACE_EXISTING, LinkOption.NOFOLLOW_LINKS);
    } else {
      Files.delete(path);
    }
    ch = SafeFiles.openForAppend(path);
  }

  private Path backup(int i) {
    return path.resolveSibling(path.getFileName() + "." + i);
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
