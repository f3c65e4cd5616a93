package io.github.otelkernel.receiver.export.events;

import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TRANSPORT;
import static io.opentelemetry.semconv.NetworkAttributes.NETWORK_TYPE;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_ADDRESS;
import static io.opentelemetry.semconv.incubating.DestinationIncubatingAttributes.DESTINATION_PORT;
import static io.opentelemetry.semconv.incubating.FileIncubatingAttributes.FILE_MODE;

import io.github.otelkernel.receiver.decode.EventType;
import io.github.otelkernel.receiver.decode.KernelEvent.SysCall;
import io.github.otelkernel.receiver.decode.KernelNames;
import io.github.otelkernel.semconv.KsecAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Attributes and bodies of the io_uring events (probes/io_uring.bpf.h lists what each record holds). */
final class IoUringEvents {
  /** IORING_SETUP_* by bit (linux/io_uring.h up to 6.18). */
  private static final String[] SETUP_FLAGS = {"IORING_SETUP_IOPOLL", "IORING_SETUP_SQPOLL", "IORING_SETUP_SQ_AFF",
      "IORING_SETUP_CQSIZE", "IORING_SETUP_CLAMP", "IORING_SETUP_ATTACH_WQ", "IORING_SETUP_R_DISABLED",
      "IORING_SETUP_SUBMIT_ALL", "IORING_SETUP_COOP_TASKRUN", "IORING_SETUP_TASKRUN_FLAG", "IORING_SETUP_SQE128",
      "IORING_SETUP_CQE32", "IORING_SETUP_SINGLE_ISSUER", "IORING_SETUP_DEFER_TASKRUN", "IORING_SETUP_NO_MMAP",
      "IORING_SETUP_REGISTERED_FD_ONLY", "IORING_SETUP_NO_SQARRAY", "IORING_SETUP_HYBRID_IOPOLL",
      "IORING_SETUP_CQE_MIXED"};
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
    m.put(EventType.IO_URING_SETUP, IoUringEvents::setup);
    m.put(EventType.IO_URING_REGISTER, c -> {
      SysCall e = c.event();
      var a = c.attributes();
      String op = KernelNames.ioUringRegisterOp((int) e.arg(1));
      a.put(KsecAttributes.IO_URING_RING_FD, (long) (int) e.arg(0));
      a.put(KsecAttributes.IO_URING_REGISTER_OPERATION, op);
      a.put(KsecAttributes.IO_URING_REGISTER_NR_ARGS, e.arg(2));
      if (e.arg(3) != 0) {
        a.put(KsecAttributes.IO_URING_REGISTERED_RING, true);
      }
      return c.actor() + " called io_uring_register " + op + " on ring " + (int) e.arg(0) + c.outcomeSuffix();
    });
    m.put(EventType.IO_URING_SUBMIT, IoUringEvents::submit);
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

  private static String setup(SysEventContext c) {
    SysCall e = c.event();
    var a = c.attributes();
    long flags = e.arg(1) & 0xffffffffL;
    List<String> names = setupFlagNames(flags);
    a.put(KsecAttributes.IO_URING_SETUP_ENTRIES, e.arg(0));
    a.put(KsecAttributes.IO_URING_SETUP_FLAGS, flags);
    a.put(KsecAttributes.IO_URING_SETUP_FLAG_NAMES, names);
    if ((flags & SETUP_SQ_AFF) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_SQ_THREAD_CPU, e.arg(2));
    }
    if ((flags & SETUP_SQPOLL) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_SQ_THREAD_IDLE, e.arg(3));
    }
    if (!e.failed()) {
      a.put(KsecAttributes.IO_URING_SETUP_FEATURES, e.arg(4));
    }
    if ((flags & SETUP_ATTACH_WQ) != 0) {
      a.put(KsecAttributes.IO_URING_SETUP_WQ_FD, (long) (int) e.arg(5));
    }
    String how = names.isEmpty() ? "" : " (" + String.join(", ", names) + ")";
    String fd = e.failed() ? "" : " as descriptor " + e.ret();
    return c.actor() + " set up an io_uring of " + e.arg(0) + " entries" + how + fd + c.outcomeSuffix();
  }

  private static String submit(SysEventContext c) {
    SysCall e = c.event();
    var a = c.attributes();
    int op = (int) e.arg(0);
    int fd = (int) e.arg(1);
    long flags = e.arg(2);
    long bits = e.arg(5);
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
    String what = switch (op) {
      case OP_OPENAT, OP_OPENAT2 -> {
        String p = FileEvents.path(c, 0);
        a.put(KsecAttributes.FILE_OPEN_FLAGS, flags);
        a.put(KsecAttributes.FILE_OPEN_FLAG_NAMES, OpenFlags.names(flags));
        if ((flags & OpenFlags.O_CREAT) != 0 || (flags & OpenFlags.O_TMPFILE) == OpenFlags.O_TMPFILE) {
          a.put(FILE_MODE, String.format("%04o", e.arg(3) & 07777));
        }
        yield " of " + p + " " + String.join("|", OpenFlags.names(flags));
      }
      case OP_UNLINKAT, OP_FTRUNCATE, OP_URING_CMD, OP_FSETXATTR, OP_SETXATTR -> {
        opFlags(c, op == OP_URING_CMD ? 0 : flags);
        if (op == OP_URING_CMD) {
          a.put(KsecAttributes.IO_URING_COMMAND, flags & 0xffffffffL);
        }
        if (op == OP_FSETXATTR || op == OP_SETXATTR) {
          a.put(KsecAttributes.FILE_XATTR_NAME, e.string(2).text());
        }
        yield e.string(0).isEmpty() ? " on descriptor " + fd : " of " + FileEvents.path(c, 0);
      }
      case OP_MKDIRAT -> {
        a.put(FILE_MODE, String.format("%04o", e.arg(3) & 07777));
        yield " of " + FileEvents.path(c, 0);
      }
      case OP_RENAMEAT, OP_LINKAT -> {
        opFlags(c, flags);
        String to = FileEvents.path(c, 1);
        String from = FileEvents.normalize(e.string(0).text());
        a.put(KsecAttributes.FILE_ORIGINAL_PATH, from);
        yield " of " + from + " to " + to;
      }
      case OP_SYMLINKAT -> {
        String link = FileEvents.path(c, 0);
        String target = e.string(1).text();
        a.put(KsecAttributes.FILE_SYMLINK_TARGET_PATH, target);
        yield " of " + link + " -> " + target;
      }
      case OP_ACCEPT, OP_LISTEN, OP_BIND -> {
        opFlags(c, flags);
        yield " on socket " + fd;
      }
      default -> { // CONNECT, the sends
        opFlags(c, op == OP_CONNECT ? 0 : flags);
        yield address(c);
      }
    };
    String suffix = e.outcomeUnknown() ? "" : c.outcomeSuffix();
    return c.actor() + " submitted " + name + what + " through io_uring" + suffix;
  }

  private static void opFlags(SysEventContext c, long flags) {
    if (flags != 0) {
      c.attributes().put(KsecAttributes.IO_URING_OPERATION_FLAGS, flags);
    }
  }

  /** The destination of a connect or send. */
  private static String address(SysEventContext c) {
    SysCall e = c.event();
    var a = c.attributes();
    long family = e.arg(4);
    if (family == AF_UNIX) {
      String path = NetworkEvents.unixPath(e.string(0));
      a.put(NETWORK_TRANSPORT, "unix");
      a.put(KsecAttributes.NETWORK_UNIX_PATH, path);
      return " to unix socket " + path;
    }
    if (family != AF_INET && family != AF_INET6) {
      return " on descriptor " + (int) e.arg(1);
    }
    a.put(NETWORK_TYPE, family == AF_INET ? "ipv4" : "ipv6");
    String addr = NetworkEvents.address(e.string(0));
    long port = e.arg(3);
    if (addr != null) {
      a.put(DESTINATION_ADDRESS, addr);
    }
    a.put(DESTINATION_PORT, port);
    String hp = (addr == null ? "?" : addr.indexOf(':') >= 0 ? "[" + addr + "]" : addr) + ":" + port;
    return " to " + hp;
  }
}
