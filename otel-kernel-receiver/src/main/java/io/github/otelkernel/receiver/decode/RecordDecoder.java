package io.github.otelkernel.receiver.decode;

import static io.github.otelkernel.receiver.decode.RecordLayout.*;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a raw ring-buffer record (already copied out of the kernel mapping) into a typed {@link
 * KernelEvent}. Every length is checked against the record size: a short or inconsistent record is
 * rejected with {@link MalformedRecordException}, never read past its end.
 */
public final class RecordDecoder {
  /** Number of event types the kernel counts drops for. */
  public static final int EVENT_TYPES = TYPE_MAX;

  public KernelEvent decode(byte[] record) {
    ByteBuffer b = ByteBuffer.wrap(record).order(ByteOrder.nativeOrder());
    if (record.length < HEADER_SIZE) {
      throw new MalformedRecordException(
          "record of " + record.length + " bytes is shorter than its header");
    }
    int version = Short.toUnsignedInt(b.getShort(H_VERSION));
    if (version != VERSION) {
      throw new MalformedRecordException(
          "record version "
              + version
              + ", expected "
              + VERSION
              + ": the probes and the agent come from different builds");
    }
    int type = Short.toUnsignedInt(b.getShort(H_TYPE));
    int flags = b.getInt(H_FLAGS);
    ProcessInfo process = header(b, record);
    return switch (type) {
      case TYPE_EXEC -> exec(b, record, process, flags);
      case TYPE_FORK -> {
        need(record, FORK_SIZE, "fork");
        yield new KernelEvent.ProcessFork(process, b.getInt(F_PARENT_TID));
      }
      case TYPE_EXIT -> {
        need(record, EXIT_SIZE, "exit");
        yield new KernelEvent.ProcessExit(process, b.getInt(E_EXIT_CODE));
      }
      default -> {
        EventType t =
            EventType.byId(type)
                .filter(EventType::isSyscall)
                .orElseThrow(() -> new MalformedRecordException("unknown record type " + type));
        yield sys(b, record, process, t, flags);
      }
    };
  }

  private static KernelEvent sys(
      ByteBuffer b, byte[] record, ProcessInfo process, EventType type, int flags) {
    need(record, SYS_SIZE, type.policyName());
    long[] args = new long[SYS_ARGS];
    for (int i = 0; i < SYS_ARGS; i++) {
      args[i] = b.getLong(S_ARGS + 8 * i);
    }
    int off = SYS_SIZE;
    List<RawBytes> strings = new ArrayList<>(SYS_STRINGS);
    for (int i = 0; i < SYS_STRINGS; i++) {
      int len = Short.toUnsignedInt(b.getShort(S_STR_LEN + 2 * i));
      if ((long) off + len > record.length) {
        throw new MalformedRecordException(
            type.policyName() + " record of " + record.length + " bytes declares " + (off + len));
      }
      strings.add(
          len == 0 ? RawBytes.EMPTY : new RawBytes(Arrays.copyOfRange(record, off, off + len)));
      off += len;
    }
    return new KernelEvent.SysCall(
        process, type, b.getLong(S_RET), args, b.getInt(S_NR), List.copyOf(strings), flags);
  }

  /**
   * The type a record's header declares, read without decoding it, so that a record the decoder
   * refuses is still counted against its type; 0 when the record is too short to say or the type is
   * beyond the kernel's counters.
   */
  public static int declaredType(byte[] record) {
    if (record.length < H_TYPE + 2) {
      return 0;
    }
    int type =
        Short.toUnsignedInt(
            ByteBuffer.wrap(record).order(ByteOrder.nativeOrder()).getShort(H_TYPE));
    return type < EVENT_TYPES ? type : 0;
  }

  /** Name of a record type as counted by the kernel's drop counters. */
  public static String typeName(int type) {
    return EventType.byId(type).map(EventType::policyName).orElse("type" + type);
  }

  private static ProcessInfo header(ByteBuffer b, byte[] record) {
    var creds =
        new Credentials(
            Integer.toUnsignedLong(b.getInt(H_UID)),
            Integer.toUnsignedLong(b.getInt(H_GID)),
            Integer.toUnsignedLong(b.getInt(H_EUID)),
            Integer.toUnsignedLong(b.getInt(H_EGID)),
            Integer.toUnsignedLong(b.getInt(H_LOGINUID)));
    return new ProcessInfo(
        b.getLong(H_BOOT_NS),
        b.getInt(H_PID),
        b.getInt(H_TID),
        b.getInt(H_PPID),
        creds,
        b.getLong(H_START_BOOT_NS),
        b.getLong(H_CGROUP_ID),
        cString(record, H_COMM, COMM_LEN),
        b.getInt(H_SID),
        b.getInt(H_PGID),
        b.getInt(H_VPID),
        Integer.toUnsignedLong(b.getInt(H_PID_NS)),
        Integer.toUnsignedLong(b.getInt(H_MNT_NS)),
        ttyName(cString(record, H_TTY, TTY_LEN).text()));
  }

  private static KernelEvent exec(ByteBuffer b, byte[] record, ProcessInfo process, int flags) {
    need(record, EXEC_SIZE, "exec");
    int exeLen = Short.toUnsignedInt(b.getShort(X_EXE_LEN));
    int cwdLen = Short.toUnsignedInt(b.getShort(X_CWD_LEN));
    int argsLen = b.getInt(X_ARGS_LEN);
    int cgroupLen = Short.toUnsignedInt(b.getShort(X_CGROUP_LEN));
    int envLen = Short.toUnsignedInt(b.getShort(X_ENV_LEN));
    long argsTotal = Integer.toUnsignedLong(b.getInt(X_ARGS_TOTAL));
    long end =
        (long) EXEC_SIZE + exeLen + cwdLen + cgroupLen + envLen + Integer.toUnsignedLong(argsLen);
    if (argsLen < 0 || end > record.length) {
      throw new MalformedRecordException(
          "exec record of " + record.length + " bytes declares " + end);
    }
    int off = EXEC_SIZE;
    RawBytes exe = leafFirstPath(record, off, exeLen);
    off += exeLen;
    RawBytes cwd = leafFirstPath(record, off, cwdLen);
    off += cwdLen;
    RawBytes cgroup = leafFirstPath(record, off, cgroupLen);
    off += cgroupLen;
    List<RawBytes> environment = nulSeparated(record, off, envLen);
    off += envLen;
    List<RawBytes> args = nulSeparated(record, off, argsLen);
    var identity =
        new KernelEvent.ExecutableIdentity(
            userDev(Integer.toUnsignedLong(b.getInt(X_EXE_DEV))),
            b.getLong(X_EXE_INO),
            b.getLong(X_EXE_SIZE),
            b.getLong(X_EXE_MTIME_NS));
    return new KernelEvent.ProcessExec(
        process,
        (flags & (FLAG_EXE_MEMFD | FLAG_EXE_UNLINKED)) != 0,
        (flags & FLAG_NO_EXE) != 0 ? RawBytes.EMPTY : exe,
        (flags & FLAG_EXE_TRUNCATED) != 0,
        cwd,
        (flags & FLAG_CWD_TRUNCATED) != 0,
        cgroup,
        identity,
        args,
        (flags & FLAG_ARGS_TRUNCATED) != 0,
        (flags & FLAG_ARGS_FAULT) != 0,
        argsTotal,
        environment,
        (flags & FLAG_ENV_TRUNCATED) != 0,
        (flags & FLAG_ENV_INCOMPLETE) != 0);
  }

  /** The kernel names pseudo-terminal slaves "pts3"; people and /dev know them as "pts/3". */
  static String ttyName(String kernelName) {
    return kernelName.matches("pts\\d+") ? "pts/" + kernelName.substring(3) : kernelName;
  }

  /** Kernel dev_t (major << 20 | minor) to the st_dev encoding user space sees (glibc makedev). */
  static long userDev(long kdev) {
    long major = kdev >>> 20;
    long minor = kdev & 0xfffff;
    return ((major & 0xfffff000L) << 32)
        | ((major & 0xfff) << 8)
        | ((minor & 0xffffff00L) << 12)
        | (minor & 0xff);
  }

  /** "dash\0bin\0usr\0" → "/usr/bin/dash". An empty walk is the root itself. */
  static RawBytes leafFirstPath(byte[] record, int off, int len) {
    List<byte[]> parts = new ArrayList<>();
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (record[i] == 0) {
        parts.add(Arrays.copyOfRange(record, start, i));
        start = i + 1;
      }
    }
    if (start < end) {
      parts.add(Arrays.copyOfRange(record, start, end));
    }
    int size = 0;
    for (byte[] p : parts) {
      size += p.length + 1;
    }
    if (parts.isEmpty()) {
      return new RawBytes(new byte[] {'/'});
    }
    byte[] out = new byte[size];
    int pos = 0;
    for (int i = parts.size() - 1; i >= 0; i--) {
      out[pos++] = '/';
      byte[] p = parts.get(i);
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return new RawBytes(out);
  }

  /** argv and the environment: NUL-separated, usually with a final NUL; a string may be empty. */
  static List<RawBytes> nulSeparated(byte[] record, int off, int len) {
    List<RawBytes> args = new ArrayList<>();
    int start = off;
    int end = off + len;
    for (int i = off; i < end; i++) {
      if (record[i] == 0) {
        args.add(new RawBytes(Arrays.copyOfRange(record, start, i)));
        start = i + 1;
      }
    }
    if (start < end) { // cut by the size limit: keep the partial argument
      args.add(new RawBytes(Arrays.copyOfRange(record, start, end)));
    }
    return List.copyOf(args);
  }

  private static RawBytes cString(byte[] record, int off, int max) {
    int n = 0;
    while (n < max && record[off + n] != 0) {
      n++;
    }
    return new RawBytes(Arrays.copyOfRange(record, off, off + n));
  }

  private static void need(byte[] record, int size, String what) {
    if (record.length < size) {
      throw new MalformedRecordException(
          what + " record of " + record.length + " bytes, expected " + size);
    }
  }
}
