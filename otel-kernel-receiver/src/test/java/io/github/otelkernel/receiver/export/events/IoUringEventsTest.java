package io.github.otelkernel.receiver.export.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.otelkernel.receiver.decode.Credentials;
import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.ProcessInfo;
import io.github.otelkernel.receiver.decode.RawBytes;
import io.github.otelkernel.receiver.enrich.BootClock;
import io.github.otelkernel.receiver.enrich.ProcessContext;
import io.github.otelkernel.receiver.enrich.ProcessTable;
import io.github.otelkernel.receiver.export.EventMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IoUringEventsTest {
  private static RawBytes raw(String s) {
    return new RawBytes(s.getBytes(StandardCharsets.UTF_8));
  }

  private static final ProcessInfo P =
      new ProcessInfo(
          1,
          42,
          43,
          1,
          new Credentials(0, 0, 0, 0, Credentials.UNSET),
          1,
          1,
          raw("uring_ops"),
          0,
          0,
          42,
          1,
          1,
          "");

  /**
   * Through the whole mapping stage: bodies refer to the record's common attributes (the pid, the
   * name, the return value), which the mapping stage puts around the type's mapper.
   */
  private static Attributes map(SysCall e, String[] body) {
    ProcessTable table = new ProcessTable("h", 8, 1_000_000_000L);
    ProcessContext ctx =
        new ProcessContext(
            table.upsert(P.pid(), P.parentPid(), P.startBootNanos()),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            "/",
            Optional.empty(),
            true,
            true,
            Optional.empty());
    EventMapper.Mapped m =
        new EventMapper(BootClock.withOffset(0), pid -> Optional.empty(), 1).map(e, ctx);
    body[0] = m.body().render(m.attributes());
    return m.attributes();
  }

  @Test
  void opcodeNamesComeFromTheGeneratedTable() {
    assertEquals("IORING_OP_OPENAT", KernelNames.ioUringOp(18));
    assertEquals("IORING_OP_CONNECT", KernelNames.ioUringOp(16));
    assertEquals("IORING_OP_NOP", KernelNames.ioUringOp(0));
    assertEquals("IORING_OP_200", KernelNames.ioUringOp(200));
    assertEquals("IORING_REGISTER_PERSONALITY", KernelNames.ioUringRegisterOp(9));
    assertEquals("IORING_REGISTER_999", KernelNames.ioUringRegisterOp(999));
  }

  @Test
  void setupFlagsByName() {
    assertEquals(List.of(), IoUringEvents.setupFlagNames(0));
    assertEquals(
        List.of("IORING_SETUP_SQPOLL", "IORING_SETUP_SQ_AFF"), IoUringEvents.setupFlagNames(6));
    assertEquals(
        List.of("IORING_SETUP_DEFER_TASKRUN", "IORING_SETUP_BIT30"),
        IoUringEvents.setupFlagNames((1L << 13) | (1L << 30)));
  }

  @Test
  void anOpenWithItsOutcome() {
    SysCall e =
        new SysCall(
            P,
            EventType.IO_URING_SUBMIT,
            5,
            new long[] {18, -100, 0101, 0600, 0, 2},
            -1,
            List.of(raw("/etc/x"), RawBytes.EMPTY, RawBytes.EMPTY),
            0);
    String[] body = new String[1];
    Attributes a = map(e, body);
    assertEquals("IORING_OP_OPENAT", a.get(AttributeKey.stringKey("ksec.io_uring.operation")));
    assertEquals("/etc/x", a.get(AttributeKey.stringKey("file.path")));
    assertEquals(-100L, a.get(AttributeKey.longKey("ksec.io_uring.fd")));
    assertEquals(5L, a.get(AttributeKey.longKey("ksec.io_uring.result")));
    assertEquals(true, a.get(AttributeKey.booleanKey("ksec.io_uring.sq_thread")));
    assertEquals(
        List.of("O_WRONLY", "O_CREAT"),
        a.get(AttributeKey.stringArrayKey("ksec.file.open.flag_names")));
    assertEquals("0600", a.get(AttributeKey.stringKey("file.mode")));
    assertEquals(
        "Process 42 (uring_ops) submitted IORING_OP_OPENAT of /etc/x O_WRONLY|O_CREAT through io_uring",
        body[0]);
  }

  @Test
  void aRecordSentAtSubmissionHasNoOutcome() {
    SysCall e =
        new SysCall(
            P,
            EventType.IO_URING_SUBMIT,
            0,
            new long[] {13, 3, 0, 0, 0, 0},
            -1,
            List.of(RawBytes.EMPTY, RawBytes.EMPTY, RawBytes.EMPTY),
            SysCall.FLAG_NO_OUTCOME);
    assertTrue(e.outcomeUnknown());
    assertFalse(e.failed());
    String[] body = new String[1];
    Attributes a = map(e, body);
    assertNull(a.get(AttributeKey.longKey("ksec.io_uring.result")));
    assertEquals(
        "Process 42 (uring_ops) submitted IORING_OP_ACCEPT on socket 3 through io_uring", body[0]);
  }

  @Test
  void aRefusedConnectNamesItsDestination() {
    SysCall e =
        new SysCall(
            P,
            EventType.IO_URING_SUBMIT,
            -111,
            new long[] {16, 4, 0, 8080, 2, 0},
            -1,
            List.of(new RawBytes(new byte[] {127, 0, 0, 1}), RawBytes.EMPTY, RawBytes.EMPTY),
            0);
    String[] body = new String[1];
    Attributes a = map(e, body);
    assertEquals("127.0.0.1", a.get(AttributeKey.stringKey("destination.address")));
    assertEquals(8080L, a.get(AttributeKey.longKey("destination.port")));
    assertEquals("ipv4", a.get(AttributeKey.stringKey("network.type")));
    assertTrue(
        body[0].endsWith(
            "IORING_OP_CONNECT to 127.0.0.1:8080 through io_uring failed with ECONNREFUSED"),
        body[0]);
  }

  @Test
  void setupAndRegister() {
    SysCall setup =
        new SysCall(
            P,
            EventType.IO_URING_SETUP,
            3,
            new long[] {8, 2, 0, 2000, 0x3fff, 0},
            425,
            List.of(RawBytes.EMPTY, RawBytes.EMPTY, RawBytes.EMPTY),
            0);
    String[] body = new String[1];
    Attributes a = map(setup, body);
    assertEquals(2L, a.get(AttributeKey.longKey("ksec.io_uring.setup.flags")));
    assertEquals(2000L, a.get(AttributeKey.longKey("ksec.io_uring.setup.sq_thread_idle")));
    assertNull(a.get(AttributeKey.longKey("ksec.io_uring.setup.sq_thread_cpu")));
    assertEquals(
        "Process 42 (uring_ops) set up an io_uring of 8 entries (IORING_SETUP_SQPOLL) as descriptor 3",
        body[0]);
    SysCall reg =
        new SysCall(
            P,
            EventType.IO_URING_REGISTER,
            1,
            new long[] {3, 9, 0, 1, 0, 0},
            427,
            List.of(RawBytes.EMPTY, RawBytes.EMPTY, RawBytes.EMPTY),
            0);
    a = map(reg, body);
    assertEquals(
        "IORING_REGISTER_PERSONALITY",
        a.get(AttributeKey.stringKey("ksec.io_uring.register.operation")));
    assertEquals(true, a.get(AttributeKey.booleanKey("ksec.io_uring.registered_ring")));
  }
}
