package io.github.otelkernel.receiver.decode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Names of this architecture's system calls, of errno values and of BPF program and attach types,
 * from tables the probes' build generates out of the kernel's UAPI headers ({@code
 * bpf/syscalls.tsv}, {@code bpf/errno.tsv}).
 */
public final class KernelNames {
  private static final Map<Integer, String> SYSCALLS = load("bpf/syscalls.tsv");
  private static final Map<Integer, String> ERRNOS = load("bpf/errno.tsv");
  private static final Map<Integer, String> BPF_PROG_TYPES = load("bpf/bpf_prog_types.tsv");
  private static final Map<Integer, String> BPF_ATTACH_TYPES = load("bpf/bpf_attach_types.tsv");
  private static final Map<Integer, String> BPF_COMMANDS = load("bpf/bpf_cmds.tsv");
  private static final Map<Integer, String> IO_URING_OPS = load("bpf/io_uring_ops.tsv");
  private static final Map<Integer, String> IO_URING_REGISTER_OPS =
      load("bpf/io_uring_register_ops.tsv");

  private KernelNames() {}

  /** "openat" for 257 on x86_64; "syscall_N" when unknown. */
  public static String syscall(int nr) {
    String n = SYSCALLS.get(nr);
    return n != null ? n : "syscall_" + nr;
  }

  /** 257 for "openat" on x86_64; empty when this architecture has no such call. */
  public static java.util.OptionalInt syscallNumber(String name) {
    for (Map.Entry<Integer, String> e : SYSCALLS.entrySet()) {
      if (e.getValue().equals(name)) {
        return java.util.OptionalInt.of(e.getKey());
      }
    }
    return java.util.OptionalInt.empty();
  }

  /** "EACCES" for 13; "E" + number when unknown. */
  public static String errno(int errno) {
    String n = ERRNOS.get(errno);
    return n != null ? n : "E" + errno;
  }

  /** "kprobe" for BPF_PROG_TYPE_KPROBE; "type_N" when these headers predate it. */
  public static String bpfProgramType(int type) {
    String n = BPF_PROG_TYPES.get(type);
    return n != null ? n : "type_" + type;
  }

  /** "trace_fentry" for BPF_TRACE_FENTRY; "attach_N" when unknown. */
  public static String bpfAttachType(int type) {
    String n = BPF_ATTACH_TYPES.get(type);
    return n != null ? n : "attach_" + type;
  }

  /** "BPF_MAP_UPDATE_ELEM" for 2; "BPF_CMD_N" when unknown. */
  public static String bpfCommand(int cmd) {
    String n = BPF_COMMANDS.get(cmd);
    return n != null ? n : "BPF_CMD_" + cmd;
  }

  /**
   * "IORING_OP_OPENAT" for 18 (from the build kernel's enum io_uring_op); "IORING_OP_N" when
   * unknown.
   */
  public static String ioUringOp(int op) {
    String n = IO_URING_OPS.get(op);
    return n != null ? n : "IORING_OP_" + op;
  }

  /** "IORING_REGISTER_PERSONALITY" for 9; "IORING_REGISTER_N" when unknown. */
  public static String ioUringRegisterOp(int op) {
    String n = IO_URING_REGISTER_OPS.get(op);
    return n != null ? n : "IORING_REGISTER_" + op;
  }

  private static Map<Integer, String> load(String resource) {
    Map<Integer, String> m = new HashMap<>();
    try (InputStream in = KernelNames.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return m; // names degrade to numbers; the jar was built without the tables
      }
      BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split("\t");
        if (f.length == 2) {
          m.putIfAbsent(
              Integer.parseInt(f[0].trim()), f[1].trim()); // errno.h aliases: keep the first name
        }
      }
    } catch (IOException | NumberFormatException e) {
      throw new UncheckedIOException(
          new IOException(resource + " is malformed: " + e.getMessage()));
    }
    return Map.copyOf(m);
  }
}
