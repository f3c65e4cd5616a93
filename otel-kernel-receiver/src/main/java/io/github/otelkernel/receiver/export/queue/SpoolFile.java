package io.github.otelkernel.receiver.export.queue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * One spooled batch on disk: a 16-byte header, then the batch as OTLP protobuf.
 *
 * <pre>
 *   0  "KSQ2"        magic, the last byte the format version
 *   4  int           records in the batch: what is counted as lost if the rest cannot be read
 *   8  int           payload length
 *  12  int           CRC32C of bytes 0-11 and the payload: a bit flipped on disk must not
 *                    decode as a different event
 *  16  payload       ExportLogsServiceRequest (OtlpLogsEncoding)
 * </pre>
 *
 * Format 1 ("KSQ1", the agent's own record layout, without resource or scope) was written by
 * earlier versions; it is recognised, never read.
 */
final class SpoolFile {
  static final int HEADER_BYTES = 16;

  /**
   * The largest payload written or read: a batch this size decodes within the agent's 128 MiB heap.
   */
  static final int MAX_PAYLOAD_BYTES = 8 << 20;

  private static final int MAGIC = 0x4B53_5132; // "KSQ2"
  private static final int OLD_MAGIC = 0x4B53_5131; // "KSQ1"
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * A file that is not a batch this agent can read. records: what its header declares, 0 when
   * unknown.
   */
  static final class Unreadable extends IOException {
    final long records;
    final boolean oldFormat;

    Unreadable(String message, long records, boolean oldFormat) {
      super(message);
      this.records = records;
      this.oldFormat = oldFormat;
    }
  }

  /** A file's declared record count and its checked payload. */
  record Contents(int records, byte[] payload) {}

  private SpoolFile() {}

  /**
   * Writes the batch under an unpredictable temporary name created exclusively (nothing can be
   * planted there in advance), 0600, forced to disk, then renamed into place: acknowledged means on
   * disk, and a crash leaves at most a .tmp file. Returns the file's size.
   */
  static long write(Path file, byte[] payload, int records) throws IOException {
    if (payload.length > MAX_PAYLOAD_BYTES) {
      throw new IOException(
          "batch of " + payload.length + " bytes over the spool's " + MAX_PAYLOAD_BYTES);
    }
    ByteBuffer header =
        ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(records).putInt(payload.length);
    header.putInt(crc(header.array(), payload)).flip();
    Path tmp =
        file.resolveSibling(
            file.getFileName() + "." + Long.toUnsignedString(RANDOM.nextLong(), 36) + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer body = ByteBuffer.wrap(payload);
      while (header.hasRemaining() || body.hasRemaining()) {
        ch.write(new ByteBuffer[] {header, body});
      }
      ch.force(false);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    return HEADER_BYTES + (long) payload.length;
  }

  /**
   * The file's contents, checked: a regular file (not followed through a link), of the current
   * format, no larger than a batch is written, its checksum right.
   */
  static Contents read(Path file) throws Unreadable {
    BasicFileAttributes attrs;
    try {
      // checked before opening: a FIFO planted here would block the open for ever
      attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (IOException e) {
      throw new Unreadable(String.valueOf(e.getMessage()), 0, false);
    }
    if (!attrs.isRegularFile()) {
      throw new Unreadable("not a regular file", 0, false);
    }
    byte[] data;
    try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
      data =
          in.readNBytes(
              HEADER_BYTES
                  + MAX_PAYLOAD_BYTES
                  + 1); // never more than a batch, whatever the file claims
    } catch (IOException e) {
      throw new Unreadable(String.valueOf(e.getMessage()), 0, false);
    }
    if (data.length < 8) {
      throw new Unreadable("no header (" + data.length + " bytes)", 0, false);
    }
    ByteBuffer b = ByteBuffer.wrap(data);
    int magic = b.getInt();
    int declared = b.getInt();
    long records =
        declared >= 0 && declared <= data.length
            ? declared
            : 0; // a count past the file's size is noise
    if (magic == OLD_MAGIC) {
      throw new Unreadable("written by an earlier agent version in spool format 1", records, true);
    }
    if (magic != MAGIC) {
      throw new Unreadable("not a spool batch", 0, false);
    }
    if (data.length < HEADER_BYTES) {
      throw new Unreadable("header cut short", records, false);
    }
    int length = b.getInt();
    int checksum = b.getInt();
    if (length < 0 || length > MAX_PAYLOAD_BYTES || data.length - HEADER_BYTES != length) {
      throw new Unreadable(
          "payload of " + (data.length - HEADER_BYTES) + " bytes where the header says " + length,
          records,
          false);
    }
    byte[] payload = java.util.Arrays.copyOfRange(data, HEADER_BYTES, data.length);
    if (crc(data, payload) != checksum) {
      throw new Unreadable("checksum mismatch", records, false);
    }
    if (declared < 0
        || declared > length) { // every record takes bytes: a header only a hand could write
      throw new Unreadable("record count " + declared + " in " + length + " bytes", 0, false);
    }
    return new Contents(declared, payload);
  }

  private static int crc(byte[] header, byte[] payload) {
    CRC32C c = new CRC32C();
    c.update(header, 0, 12);
    c.update(payload);
    return (int) c.getValue();
  }
}
