package io.github.otelkernel.receiver.decode;

import static io.github.otelkernel.receiver.decode.RecordLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Records built byte by byte at RecordLayout's offsets (WireLayoutTest holds those to the compiled
 * object). The live-kernel tests check the same decoder against real records; these pin down the
 * edge cases the kernel rarely produces.
 */
class RecordDecoderTest {
  private final RecordDecoder decoder = new RecordDecoder();

  static ByteBuffer header(int size, int type, int flags) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    b.putShort(H_TYPE, (short) type)
        .putShort(H_VERSION, (short) VERSION)
        .putInt(H_FLAGS, flags)
        .putLong(H_BOOT_NS, 123_456_789L);
    b.putInt(H_PID, 42)
        .putInt(H_TID, 43)
        .putInt(H_PPID, 1)
        .putInt(H_UID, 1000)
        .putInt(H_GID, 1001)
        .putInt(H_EUID, 0)
        .putInt(H_EGID, 0);
    b.putInt(H_LOGINUID, -1).putLong(H_START_BOOT_NS, 1_000L).putLong(H_CGROUP_ID, 77L);
    b.put(H_COMM, "bash".getBytes(StandardCharsets.US_ASCII));
    b.putInt(H_SID, 40)
        .putInt(H_PGID, 41)
        .putInt(H_VPID, 1)
        .putInt(H_PID_NS, (int) 4026531836L)
        .putInt(H_MNT_NS, 7);
    b.put(H_TTY, "pts3".getBytes(StandardCharsets.US_ASCII));
    return b;
  }

  static byte[] exec(String exeLeafFirst, String cwdLeafFirst, String args, int flags) {
    byte[] exe = exeLeafFirst.getBytes(StandardCharsets.ISO_8859_1);
    byte[] cwd = cwdLeafFirst.getBytes(StandardCharsets.ISO_8859_1);
    byte[] argv = args.getBytes(StandardCharsets.ISO_8859_1);
    byte[] cg = "docker-ab.scope\0system.slice\0".getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer b =
        header(EXEC_SIZE + exe.length + cwd.length + cg.length + argv.length, TYPE_EXEC, flags);
    b.putShort(X_EXE_LEN, (short) exe.length)
        .putShort(X_CWD_LEN, (short) cwd.length)
        .putInt(X_ARGS_LEN, argv.length)
        .putInt(X_ARGS_TOTAL, 9999);
    b.putShort(X_CGROUP_LEN, (short) cg.length)
        .putInt(X_EXE_DEV, (8 << 20) | 1)
        .putLong(X_EXE_INO, 1234L)
        .putLong(X_EXE_SIZE, 99L)
        .putLong(X_EXE_MTIME_NS, 5L);
    b.position(EXEC_SIZE);
    b.put(exe).put(cwd).put(cg).put(argv);
    return b.array();
  }

  @Test
  void execPathsAreReassembledFromLeafFirstComponents() {
    var e =
        (KernelEvent.ProcessExec)
            decoder.decode(exec("dash\0bin\0usr\0", "", "sh\0-c\0exit 7\0", 0));
    assertEquals("/usr/bin/dash", e.executablePath().text());
    assertEquals("/", e.workingDirectory().text());
    assertEquals(List.of("sh", "-c", "exit 7"), e.args().stream().map(RawBytes::text).toList());
    assertEquals(42, e.process().pid());
    assertEquals(1, e.process().parentPid());
    assertEquals(1000, e.process().credentials().uid());
    assertFalse(e.process().credentials().hasLoginUid());
    assertEquals("bash", e.process().comm().text());
    assertEquals(9999, e.argsTotalBytes());
    assertEquals("/system.slice/docker-ab.scope", e.cgroupPath().text());
    assertEquals(
        new KernelEvent.ExecutableIdentity(0x801, 1234, 99, 5), e.executable()); // 8:1 is sda1
    assertEquals(40, e.process().sessionId());
    assertEquals(1, e.process().namespacePid());
    assertEquals(4026531836L, e.process().pidNamespace());
    assertEquals("pts/3", e.process().tty());
  }

  @Test
  void emptyArgumentsAndTruncatedLastArgumentSurvive() {
    var e = (KernelEvent.ProcessExec) decoder.decode(exec("true\0", "tmp\0", "a\0\0b\0partial", 1));
    assertEquals(List.of("a", "", "b", "partial"), e.args().stream().map(RawBytes::text).toList());
    assertTrue(e.argsTruncated());
  }

  @Test
  void invalidUtf8IsMarkedLossyAndKeptExactly() {
    var e = (KernelEvent.ProcessExec) decoder.decode(exec("x\u00ff\0", "", "x\u00ff\0", 0));
    RawBytes arg = e.args().get(0);
    assertTrue(arg.lossy());
    assertEquals("x\uFFFD", arg.text());
    assertEquals((byte) 0xff, arg.bytes()[1]);
    assertFalse(new RawBytes("ünï".getBytes(StandardCharsets.UTF_8)).lossy());
  }

  @Test
  void exitStatusSplitsIntoCodeOrSignal() {
    ByteBuffer b = header(EXIT_SIZE, TYPE_EXIT, 0);
    b.putInt(E_EXIT_CODE, 7 << 8);
    var normal = (KernelEvent.ProcessExit) decoder.decode(b.array());
    assertEquals(7, normal.exitCode());
    assertEquals(0, normal.signal());
    b.putInt(E_EXIT_CODE, 0x80 | 11);
    var crashed = (KernelEvent.ProcessExit) decoder.decode(b.array());
    assertEquals(11, crashed.signal());
    assertTrue(crashed.coreDumped());
    assertEquals(-1, crashed.exitCode());
  }

  @Test
  void randomBytesNeverEscapeAsAnythingButMalformedRecord() {
    java.util.Random random = new java.util.Random(42); // fixed seed: a failure is reproducible
    int decoded = 0;
    for (int i = 0; i < 20_000; i++) {
      byte[] record = new byte[random.nextInt(400)];
      random.nextBytes(record);
      if (record.length >= 4) { // valid version and type half the time, so the body parsers run
        int[] types = {
          TYPE_EXEC,
          TYPE_FORK,
          TYPE_EXIT,
          EventType.FILE_OPEN.id(),
          EventType.FILE_RENAME.id(),
          EventType.NET_CONNECT.id()
        }; // process lifecycle and system-call records
        ByteBuffer.wrap(record)
            .order(ByteOrder.nativeOrder())
            .putShort(H_VERSION, (short) VERSION)
            .putShort(H_TYPE, (short) types[random.nextInt(types.length)]);
      }
      try {
        decoder.decode(record);
        decoded++;
      } catch (MalformedRecordException expected) {
        // rejected cleanly
      }
    }
    assertTrue(decoded > 0, "some random records are well-formed enough to decode");
  }

  @Test
  void sysEventCarriesOutcomeArgsAndStrings() {
    byte[] old = "/tmp/a".getBytes(StandardCharsets.UTF_8);
    byte[] neu = "/tmp/b".getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = header(SYS_SIZE + old.length + neu.length, EventType.FILE_RENAME.id(), 1 << 9);
    b.putLong(S_RET, -13).putLong(S_ARGS, 1).putInt(S_NR, 316);
    b.putShort(S_STR_LEN, (short) old.length)
        .putShort(S_STR_LEN + 2, (short) neu.length)
        .putShort(S_STR_LEN + 4, (short) 0);
    b.position(SYS_SIZE);
    b.put(old).put(neu);
    var e = (KernelEvent.SysCall) decoder.decode(b.array());
    assertEquals(EventType.FILE_RENAME, e.type());
    assertTrue(e.failed());
    assertEquals(13, e.errno());
    assertEquals(316, e.syscall());
    var rename = (SysPayload.FileRename) e.payload();
    assertEquals(1, rename.flags());
    assertEquals("/tmp/a", rename.from().text());
    assertEquals("/tmp/b", rename.to().text());
    assertTrue(rename.to().truncated());
    assertTrue(!rename.from().truncated());
    b.putShort(S_STR_LEN + 2, (short) 500); // declares more than the record holds
    assertThrows(MalformedRecordException.class, () -> decoder.decode(b.array()));
  }

  @Test
  void malformedRecordsAreRejectedNotReadPastTheirEnd() {
    assertThrows(MalformedRecordException.class, () -> decoder.decode(new byte[10]));
    byte[] lying = exec("a\0", "", "x\0", 0);
    ByteBuffer.wrap(lying).order(ByteOrder.nativeOrder()).putInt(X_ARGS_LEN, 100_000);
    assertThrows(MalformedRecordException.class, () -> decoder.decode(lying));
    ByteBuffer wrongVersion = header(EXIT_SIZE, TYPE_EXIT, 0).putShort(H_VERSION, (short) 9);
    assertThrows(MalformedRecordException.class, () -> decoder.decode(wrongVersion.array()));
    assertThrows(
        MalformedRecordException.class, () -> decoder.decode(header(EXIT_SIZE, 42, 0).array()));
    assertThrows(
        MalformedRecordException.class,
        () -> decoder.decode(header(HEADER_SIZE, TYPE_EXIT, 0).array()));
  }

  @Test
  void aRefusedRecordStillNamesTheTypeItsHeaderDeclares() {
    assertEquals(
        3, RecordDecoder.declaredType(header(128, 3, 0).array())); // an exit too short to decode
    assertEquals(42, RecordDecoder.declaredType(header(136, 42, 0).array()));
    assertEquals(0, RecordDecoder.declaredType(new byte[1]), "too short to say");
    assertEquals(
        0,
        RecordDecoder.declaredType(header(128, 0xffff, 0).array()),
        "beyond the kernel's counters");
  }
}
