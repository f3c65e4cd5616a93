package io.github.otelkernel.receiver.decode;

import static io.github.otelkernel.receiver.decode.RecordLayout.*;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.otelkernel.semconv.codegen.EventCatalog;
import io.github.otelkernel.semconv.codegen.EventCatalog.KernelType;
import io.github.otelkernel.semconv.codegen.EventCatalog.Slot;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Writes ring-buffer records in the wire layout from a readable description (a golden test's
 * input): the header's process, then the record of the type, its payload slots named as the catalog
 * names them. What it writes goes through the real decoder, as the kernel's records do.
 */
public final class RecordWriter {
  private final Map<String, KernelType> byPolicy = new java.util.HashMap<>();

  public RecordWriter(EventCatalog catalog) {
    catalog.types().forEach(t -> byPolicy.put(t.policy(), t));
  }

  public byte[] write(JsonNode in) {
    String policy = in.path("type").asText();
    KernelType t = byPolicy.get(policy);
    if (t == null) {
      throw new IllegalArgumentException(
          "unknown type " + policy + " (a policy key of the catalog)");
    }
    int size =
        switch (t.record()) {
          case "exec" -> EXEC_SIZE;
          case "fork" -> FORK_SIZE;
          case "exit" -> EXIT_SIZE;
          default -> SYS_SIZE;
        };
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    header(b, t.id(), flags(in.path("flags")), in.path("process"));
    switch (t.record()) {
      case "exec" -> exec(b, tail, in);
      case "fork" -> b.putInt(F_PARENT_TID, in.path("parent_tid").asInt(4000));
      case "exit" -> b.putInt(E_EXIT_CODE, in.path("wait_status").asInt(0));
      default -> sys(b, tail, t, in);
    }
    byte[] out = new byte[size + tail.size()];
    System.arraycopy(b.array(), 0, out, 0, size);
    System.arraycopy(tail.toByteArray(), 0, out, size, tail.size());
    return out;
  }

  private static int flags(JsonNode names) {
    int f = 0;
    for (JsonNode n : names) {
      f |=
          switch (n.asText()) {
            case "ARGS_TRUNCATED" -> FLAG_ARGS_TRUNCATED;
            case "ARGS_FAULT" -> FLAG_ARGS_FAULT;
            case "EXE_TRUNCATED" -> FLAG_EXE_TRUNCATED;
            case "CWD_TRUNCATED" -> FLAG_CWD_TRUNCATED;
            case "NO_EXE" -> FLAG_NO_EXE;
            case "EXE_MEMFD" -> FLAG_EXE_MEMFD;
            case "EXE_UNLINKED" -> FLAG_EXE_UNLINKED;
            case "ENV_TRUNCATED" -> FLAG_ENV_TRUNCATED;
            case "ENV_INCOMPLETE" -> FLAG_ENV_INCOMPLETE;
            case "STR0_TRUNCATED" -> KernelEvent.SysCall.FLAG_STR0_TRUNCATED;
            case "STR1_TRUNCATED" -> KernelEvent.SysCall.FLAG_STR1_TRUNCATED;
            case "STR0_RELATIVE" -> KernelEvent.SysCall.FLAG_STR0_RELATIVE;
            case "STR0_PARTIAL" -> KernelEvent.SysCall.FLAG_STR0_PARTIAL;
            case "TARGET_IS_AGENT" -> KernelEvent.SysCall.FLAG_TARGET_IS_AGENT;
            case "ARGS_CHANGED" -> KernelEvent.SysCall.FLAG_ARGS_CHANGED;
            case "ARGS_UNVERIFIED" -> KernelEvent.SysCall.FLAG_ARGS_UNVERIFIED;
            case "NO_OUTCOME" -> KernelEvent.SysCall.FLAG_NO_OUTCOME;
            default -> throw new IllegalArgumentException("unknown flag " + n.asText());
          };
    }
    return f;
  }

  /**
   * A fixed, plausible process: pid 4242 (tool) of uid 1000 on pts/0, child of 4000; fields
   * overridable.
   */
  private static void header(ByteBuffer b, int type, int flags, JsonNode p) {
    b.putShort(H_TYPE, (short) type);
    b.putShort(H_VERSION, (short) VERSION);
    b.putInt(H_FLAGS, flags);
    b.putLong(H_BOOT_NS, p.path("boot_ns").asLong(1_000_000_000_000L));
    int pid = p.path("pid").asInt(4242);
    b.putInt(H_PID, pid);
    b.putInt(H_TID, p.path("tid").asInt(pid));
    b.putInt(H_PPID, p.path("ppid").asInt(4000));
    int uid = p.path("uid").asInt(1000);
    b.putInt(H_UID, uid);
    b.putInt(H_GID, p.path("gid").asInt(1000));
    b.putInt(H_EUID, p.path("euid").asInt(uid));
    b.putInt(H_EGID, p.path("egid").asInt(p.path("gid").asInt(1000)));
    b.putInt(H_LOGINUID, p.path("loginuid").asInt(1000));
    b.putLong(H_START_BOOT_NS, p.path("start_boot_ns").asLong(900_000_000_000L));
    b.putLong(H_CGROUP_ID, p.path("cgroup_id").asLong(7001));
    put(b, H_COMM, COMM_LEN, p.path("comm").asText("tool"));
    b.putInt(H_SID, p.path("sid").asInt(4000));
    b.putInt(H_PGID, p.path("pgid").asInt(pid));
    b.putInt(H_VPID, p.path("vpid").asInt(pid));
    b.putInt(H_PID_NS, (int) p.path("pid_ns").asLong(4026531836L));
    b.putInt(H_MNT_NS, (int) p.path("mnt_ns").asLong(4026531841L));
    put(b, H_TTY, TTY_LEN, p.path("tty").asText("pts0"));
  }

  private static void put(ByteBuffer b, int off, int max, String s) {
    byte[] v = s.getBytes(StandardCharsets.UTF_8);
    b.put(off, v, 0, Math.min(v.length, max - 1));
  }

  private static void exec(ByteBuffer b, ByteArrayOutputStream tail, JsonNode in) {
    byte[] exe = leafFirst(in.path("executable").asText(""));
    byte[] cwd = leafFirst(in.path("cwd").asText("/"));
    byte[] cgroup = leafFirst(in.path("cgroup").asText("/"));
    ByteArrayOutputStream argv = new ByteArrayOutputStream();
    for (JsonNode a : in.path("argv")) {
      argv.writeBytes(bytes(a));
      argv.write(0);
    }
    ByteArrayOutputStream env = new ByteArrayOutputStream();
    for (JsonNode v : in.path("env")) {
      env.writeBytes(bytes(v));
      env.write(0);
    }
    b.putShort(X_EXE_LEN, (short) exe.length);
    b.putShort(X_CWD_LEN, (short) cwd.length);
    b.putInt(X_ARGS_LEN, argv.size());
    b.putInt(X_ARGS_TOTAL, in.path("args_total").asInt(argv.size()));
    b.putShort(X_CGROUP_LEN, (short) cgroup.length);
    b.putShort(X_ENV_LEN, (short) env.size());
    b.putInt(X_EXE_DEV, (8 << 20) | 1);
    b.putLong(X_EXE_INO, in.path("inode").asLong(131_073));
    b.putLong(X_EXE_SIZE, 142_312);
    b.putLong(X_EXE_MTIME_NS, 1_700_000_000_000_000_000L);
    tail.writeBytes(exe);
    tail.writeBytes(cwd);
    tail.writeBytes(cgroup);
    tail.writeBytes(env.toByteArray());
    tail.writeBytes(argv.toByteArray());
  }

  /** "/usr/bin/dash" as the kernel's walker sends it: "dash\0bin\0usr\0". */
  private static byte[] leafFirst(String path) {
    List<String> parts = new ArrayList<>(List.of(path.split("/")));
    parts.removeIf(String::isEmpty);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = parts.size() - 1; i >= 0; i--) {
      out.writeBytes(parts.get(i).getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    return out.toByteArray();
  }

  private static void sys(ByteBuffer b, ByteArrayOutputStream tail, KernelType t, JsonNode in) {
    b.putLong(S_RET, in.path("ret").asLong(0));
    String syscall = in.path("syscall").asText("");
    int nr =
        syscall.isEmpty()
            ? -1
            : KernelNames.syscallNumber(syscall)
                .orElseThrow(() -> new IllegalArgumentException("unknown system call " + syscall));
    b.putInt(S_NR, nr);
    JsonNode args = in.path("args");
    for (Iterator<String> it = args.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      b.putLong(S_ARGS + 8 * slot(t, t.args(), name), args.get(name).asLong());
    }
    JsonNode strings = in.path("strings");
    byte[][] values = {new byte[0], new byte[0], new byte[0]};
    for (Iterator<String> it = strings.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      values[slot(t, t.strings(), name)] = bytes(strings.get(name));
    }
    for (int i = 0; i < 3; i++) {
      b.putShort(S_STR_LEN + 2 * i, (short) values[i].length);
      tail.writeBytes(values[i]);
    }
  }

  private static int slot(KernelType t, List<Slot> slots, String name) {
    return slots.stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    t.policy() + " has no slot " + name + "; it has " + slots))
        .index();
  }

  /**
   * A string as UTF-8, or {"base64": "…"} for bytes that are not text (addresses, hostile input).
   */
  private static byte[] bytes(JsonNode v) {
    return v.isObject()
        ? Base64.getDecoder().decode(v.path("base64").asText())
        : v.asText().getBytes(StandardCharsets.UTF_8);
  }
}
