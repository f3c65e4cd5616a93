package io.github.otelkernel.receiver.export.events;

import static io.github.otelkernel.receiver.export.events.SysEventMappers.templated;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TRANSPORT;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TYPE;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_ADDRESS;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_PORT;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_MODE;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_PATH;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.receiver.decode.SysPayload.IoUringRegister;
import io.github.otelkernel.receiver.decode.SysPayload.IoUringSetup;
import io.github.otelkernel.receiver.decode.SysPayload.IoUringSubmit;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Attributes and bodies of the io_uring events (probes/io_uring.bpf.h lists what each record
 * holds).
 */
final class IoUringEvents {
  /** IORING_SETUP_* by bit (linux/io_uring.h up to 6.18). */
  private static final String[] SETUP_FLAGS = {
    "IORING_SETUP_IOPOLL",
    "IORING_SETUP_SQPOLL",
    "IORING_SETUP_SQ_AFF",
    "IORING_SETUP_CQSIZE",
    "IORING_SETUP_CLAMP",
    "IORING_SETUP_ATTACH_WQ",
    "IORING_SETUP_R_DISABLED",
    "IORING_SETUP_SUBMIT_ALL",
    "IORING_SETUP_COOP_TASKRUN",
    "IORING_SETUP_TASKRUN_FLAG",
    "IORING_SETUP_SQE128",
    "IORING_SETUP_CQE32",
    "IORING_SETUP_SINGLE_ISSUER",
    "IORING_SETUP_DEFER_TASKRUN",
    "IORING_SETUP_NO_MMAP",
    "IORING_SETUP_REGISTERED_FD_ONLY",
    "IORING_SETUP_NO_SQARRAY",
    "IORING_SETUP_HYBRID_IOPOLL",
    "IORING_SETUP_CQE_MIXED"
  };

  static final long SETUP_SQPOLL = 1 << 1;
  static final long SETUP_SQ_AFF = 1 << 2;
  static final long SETUP_ATTACH_WQ = 1 << 5;

  /** enum io_uring_op values the probe records (an ABI: numbered in order). */
  static final int OP_SENDMSG = 9;

  static final int OP_ACCEPT = 13;
  static final int OP_CONNECT = 16;
  static final int OP_OPENAT = 18;
  static final int OP_SEND = 26;
  static final int OP_OPENAT2 = 28;
  static final int OP_RENAMEAT = 35;
  static final int OP_UNLINKAT = 36;
  static final int OP_MKDIRAT = 37;
  static final int OP_SYMLINKAT = 38;
  static final int OP_LINKAT = 39;
  static final int OP_FSETXATTR = 41;
  static final int OP_SETXATTR = 42;
  static final int OP_URING_CMD = 46;
  static final int OP_SEND_ZC = 47;
  static final int OP_SENDMSG_ZC = 48;
  static final int OP_FTRUNCATE = 55;
  static final int OP_BIND = 56;
  static final int OP_LISTEN = 57;

  private static final int URING_FIXED_FILE = 1;
  private static final int URING_SQ_THREAD = 2;
  private static final int AF_UNIX = 1;
  private static final int AF_INET = 2;
  private static final int AF_INET6 = 10;

  private IoUringEvents() {}

  static void register(Map<EventType, SysEventMapper> m) {
    m.put(EventType.IO_URING_SETUP, templated(IoUringSetup.class, IoUringEvents::setup));
    m.put(
        EventType.IO_URING_REGISTER,
        templated(
            IoUringRegister.class,
            (e, c) -> {
              var a = c.attributes();
              String op = KernelNames.ioUringRegisterOp(e.opcode());
              a.put(KsecAttributes.IO_URING_RING_FD, (long) e.ringFd());
              a.put(KsecAttributes.IO_URING_REGISTER_OPERATION, op);
              a.put(KsecAttributes.IO_URING_REGISTER_NR_ARGS, e.nrArgs());
              if (e.registeredRing()) {
                a.put(KsecAttributes.IO_URING_REGISTERED_RING, true);
              }
              return c.actorBody()
                  .text(" called io_uring_register ")
                  .ref(KsecAttributes.IO_URING_REGISTER_OPERATION)
                  .text(" on ring ")
                  .ref(KsecAttributes.IO_URING_RING_FD)
                  .text(c.outcomeSuffix())
                  .build();
            }));
    m.put(EventType.IO_URING_SUBMIT, templated(IoUringSubmit.class, IoUringEvents::submit));
  }

  static List<String> setupFlagNames(long flags) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      if ((flags & (1L << i)) != 0) {
        out.add(i < SETUP_FLAGS.length ? SETUP_FLAGS[i] : "IORING_SETUP_BIT" + i);
      }
    }
    return out;
  }

  private static BodyTemplate setup(IoUringSetup s, SysEventContext c) {
    SysCall e = s.call();
    var a = c.attributes();
    long flags = s.flags() & 0xffffffffL;
    List<String> names = setupFlagNames(flags);
    a.put(KsecAttributes.IO_URING_SETUP_ENTRIES, s.entries());
    a.put(KsecAttributes.IO_URING_SETUP_FLAGS, flags);
    a.put(KsecAttributes.IO_URING_SETUP_FLAG_NAMES, names);
    if ((flags & SETUP_SQ_AFF) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_SQ_THREAD_CPU, s.sqThreadCpu());
    }
    if ((flags & SETUP_SQPOLL) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_SQ_THREAD_IDLE, s.sqThreadIdle());
    }
    if (!e.failed()) {
      a.put(KsecAttributes.IO_URING_SETUP_FEATURES, s.features());
    }
    if ((flags & SETUP_ATTACH_WQ) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_WQ_FD, (long) s.wqFd());
    }
    BodyTemplate.Builder b =
        c.actorBody()
            .text(" set up an io_uring of ")
            .ref(KsecAttributes.IO_URING_SETUP_ENTRIES)
            .text(" entries");
    // names of IORING_SETUP_* bits, joined by commas (the attribute is a list)
    b.text(names.isEmpty() ? "" : " (" + String.join(", ", names) + ")");
    if (!e.failed()) {
      b.text(" as descriptor ");
      // the descriptor is the call's return value, an attribute of every system call's record
      if (e.syscall() != -1) {
        b.ref(KsecAttributes.SYSCALL_RETURN);
      } else {
        b.text(Long.toString(e.ret()));
      }
    }
    return b.text(c.outcomeSuffix()).build();
  }

  private static BodyTemplate submit(IoUringSubmit s, SysEventContext c) {
    SysCall e = s.call();
    var a = c.attributes();
    int op = s.opcode();
    int fd = s.fd();
    long flags = s.flags();
    long bits = s.bits();
    String name = KernelNames.ioUringOp(op);
    a.put(KsecAttributes.IO_URING_OPERATION, name);
    a.put(KsecAttributes.IO_URING_FD, (long) fd);
    if ((bits & URING_FIXED_FILE) != 0) {
      a.put(KsecAttributes.IO_URING_FIXED_FILE, true);
    }
    if ((bits & URING_SQ_THREAD) != 0) {
      a.put(KsecAttributes.IO_URING_SQ_THREAD, true);
    }
    if (!e.outcomeUnknown()) {
      a.put(KsecAttributes.IO_URING_RESULT, e.ret());
    }
    BodyTemplate.Builder b =
        c.actorBody().text(" submitted ").ref(KsecAttributes.IO_URING_OPERATION);
    switch (op) {
      case OP_OPENAT, OP_OPENAT2 -> {
        FileEvents.path(c, s.path());
        a.put(KsecAttributes.FILE_OPEN_FLAGS, flags);
        a.put(KsecAttributes.FILE_OPEN_FLAG_NAMES, OpenFlags.names(flags));
        if ((flags & OpenFlags.O_CREAT) != 0
            || (flags & OpenFlags.O_TMPFILE) == OpenFlags.O_TMPFILE) {
          a.put(FILE_MODE, String.format("%04o", s.modeOrPort() & 07777));
        }
        // names of O_* bits joined by "|" (the attribute is a list)
        b.text(" of ").ref(FILE_PATH).text(" " + String.join("|", OpenFlags.names(flags)));
      }
      case OP_UNLINKAT, OP_FTRUNCATE, OP_URING_CMD, OP_FSETXATTR, OP_SETXATTR -> {
        opFlags(c, op == OP_URING_CMD ? 0 : flags);
        if (op == OP_URING_CMD) {
          a.put(KsecAttributes.IO_URING_COMMAND, flags & 0xffffffffL);
        }
        if (op == OP_FSETXATTR || op == OP_SETXATTR) {
          a.put(KsecAttributes.FILE_XATTR_NAME, s.xattrName().text());
        }
        if (s.path().isEmpty()) {
          b.text(" on descriptor ").ref(KsecAttributes.IO_URING_FD);
        } else {
          FileEvents.path(c, s.path());
          b.text(" of ").ref(FILE_PATH);
        }
      }
      case OP_MKDIRAT -> {
        a.put(FILE_MODE, String.format("%04o", s.modeOrPort() & 07777));
        FileEvents.path(c, s.path());
        b.text(" of ").ref(FILE_PATH);
      }
      case OP_RENAMEAT, OP_LINKAT -> {
        opFlags(c, flags);
        FileEvents.path(c, s.target());
        a.put(KsecAttributes.FILE_ORIGINAL_PATH, FileEvents.normalize(s.path().text()));
        b.text(" of ").ref(KsecAttributes.FILE_ORIGINAL_PATH).text(" to ").ref(FILE_PATH);
      }
      case OP_SYMLINKAT -> {
        FileEvents.path(c, s.path());
        a.put(KsecAttributes.FILE_SYMLINK_TARGET_PATH, s.target().text());
        b.text(" of ").ref(FILE_PATH).text(" -> ").ref(KsecAttributes.FILE_SYMLINK_TARGET_PATH);
      }
      case OP_ACCEPT, OP_LISTEN, OP_BIND -> {
        opFlags(c, flags);
        b.text(" on socket ").ref(KsecAttributes.IO_URING_FD);
      }
      default -> { // CONNECT, the sends
        opFlags(c, op == OP_CONNECT ? 0 : flags);
        address(c, s, b);
      }
    }
    String suffix = e.outcomeUnknown() ? "" : c.outcomeSuffix();
    return b.text(" through io_uring" + suffix).build();
  }

  private static void opFlags(SysEventContext c, long flags) {
    if (flags != 0) {
      c.attributes().put(KsecAttributes.IO_URING_OPERATION_FLAGS, flags);
    }
  }

  /** The destination of a connect or send. */
  private static void address(SysEventContext c, IoUringSubmit s, BodyTemplate.Builder b) {
    var a = c.attributes();
    long family = s.family();
    if (family == AF_UNIX) {
      String path = NetworkEvents.unixPath(s.path().bytes());
      a.put(NETWORK_TRANSPORT, "unix");
      a.put(KsecAttributes.NETWORK_UNIX_PATH, path);
      b.text(" to ") // "unix": the word is the attribute's value
          .ref(NETWORK_TRANSPORT)
          .text(" socket ")
          .ref(KsecAttributes.NETWORK_UNIX_PATH);
      return;
    }
    if (family != AF_INET && family != AF_INET6) {
      b.text(" on descriptor ").ref(KsecAttributes.IO_URING_FD);
      return;
    }
    a.put(NETWORK_TYPE, family == AF_INET ? "ipv4" : "ipv6");
    String addr = NetworkEvents.address(s.path().bytes());
    long port = s.modeOrPort();
    if (addr != null) {
      a.put(DESTINATION_ADDRESS, addr);
    }
    a.put(DESTINATION_PORT, port);
    new NetworkEvents.Endpoint(addr, DESTINATION_ADDRESS, port, DESTINATION_PORT)
        .appendTo(b.text(" to "));
  }
}
