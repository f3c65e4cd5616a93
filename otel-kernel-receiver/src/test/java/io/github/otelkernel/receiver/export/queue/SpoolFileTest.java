package io.github.otelkernel.receiver.export.queue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolFileTest {
  @TempDir Path dir;

  static byte[] payload(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  /**
   * A batch file of an earlier agent version: "KSQ1", the record count, then its own record layout.
   */
  static byte[] oldFormat(int records) {
    return ByteBuffer.allocate(40).putInt(0x4B53_5131).putInt(records).put(payload(32)).array();
  }

  @Test
  void writesOnlyTheFileRootOnlyAndReadsItBack() throws IOException {
    Path f = dir.resolve("0000000000000000000-hi.spool");
    byte[] p = payload(1000);
    assertEquals(SpoolFile.HEADER_BYTES + 1000, SpoolFile.write(f, p, 12));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
    try (var files = Files.list(dir)) {
      assertEquals(1, files.count(), "no temporary file left");
    }
    SpoolFile.Contents c = SpoolFile.read(f);
    assertEquals(12, c.records());
    assertArrayEquals(p, c.payload());
    assertEquals(
        "KSQ2",
        new String(Files.readAllBytes(f), 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
  }

  @Test
  void neverOverwritesAPlantedFileOrWritesABatchTooLargeToReadBack() throws IOException {
    Path f = dir.resolve("b.spool");
    assertThrows(
        IOException.class, () -> SpoolFile.write(f, new byte[SpoolFile.MAX_PAYLOAD_BYTES + 1], 1));
    assertFalse(Files.exists(f));
  }

  @Test
  void everyFlippedBitIsCaught() throws IOException {
    Path f = dir.resolve("b.spool");
    SpoolFile.write(f, payload(64), 3);
    byte[] good = Files.readAllBytes(f);
    for (int bit = 0; bit < good.length * 8; bit++) {
      byte[] bad = good.clone();
      bad[bit / 8] ^= (byte) (1 << (bit % 8));
      Files.write(f, bad);
      int at = bit;
      assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f), "bit " + at);
    }
  }

  @Test
  void aTornOrExtendedFileIsCorruptWithItsRecordsStillDeclared() throws IOException {
    Path f = dir.resolve("b.spool");
    SpoolFile.write(f, payload(100), 9);
    byte[] good = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(good, good.length - 1));
    SpoolFile.Unreadable e = assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f));
    assertEquals(9, e.records, "the count to report as lost");
    assertFalse(e.oldFormat);
    Files.write(f, Arrays.copyOf(good, good.length + 1));
    assertEquals(9, assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f)).records);
    Files.write(f, Arrays.copyOf(good, 6));
    assertEquals(
        0,
        assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f)).records,
        "no whole count");
  }

  @Test
  void theEarlierFormatIsRecognisedNotRead() throws IOException {
    Path f = dir.resolve("0000000000000000003-hi.batch");
    Files.write(f, oldFormat(25));
    SpoolFile.Unreadable e = assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f));
    assertTrue(e.oldFormat);
    assertEquals(25, e.records);
    Files.write(f, oldFormat(1 << 30));
    assertEquals(
        0,
        assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f)).records,
        "a count larger than the file is noise");
  }

  @Test
  void noiseDeclaresNothing() throws IOException {
    Path f = dir.resolve("notes.spool");
    byte[] noise = new byte[300];
    new Random(7).nextBytes(noise);
    Files.write(f, noise);
    SpoolFile.Unreadable e = assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f));
    assertEquals(0, e.records);
    assertFalse(e.oldFormat);
    Files.write(f, new byte[0]);
    assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f));
  }

  @Test
  void aHugeFileIsRefusedWithoutBeingReadWhole() throws IOException {
    Path f = dir.resolve("huge.spool");
    SpoolFile.write(f, payload(10), 1);
    try (var ch = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(0);
      ch.write(
          ByteBuffer.allocate(16)
              .putInt(0x4B53_5132)
              .putInt(1)
              .putInt(Integer.MAX_VALUE)
              .putInt(0)
              .flip());
      ch.write(ByteBuffer.wrap(new byte[1]), 4L << 30); // sparse: 4 GiB that take no disk
    }
    SpoolFile.Unreadable e = assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(f));
    assertTrue(e.getMessage().contains("header says"), e.getMessage());
  }

  @Test
  void onlyRegularFilesAreOpened() throws Exception {
    Path target = dir.resolve("target.spool");
    SpoolFile.write(target, payload(10), 1);
    Path link = Files.createSymbolicLink(dir.resolve("link.spool"), target);
    assertTrue(
        assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(link))
            .getMessage()
            .contains("regular"));
    Path sub = Files.createDirectory(dir.resolve("sub.spool"));
    assertThrows(SpoolFile.Unreadable.class, () -> SpoolFile.read(sub));
    Path fifo = dir.resolve("fifo.spool");
    if (new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0) {
      assertThrows(
          SpoolFile.Unreadable.class, () -> SpoolFile.read(fifo), "refused, not waited on");
    }
  }
}
