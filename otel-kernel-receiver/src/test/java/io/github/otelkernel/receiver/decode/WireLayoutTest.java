package io.github.otelkernel.receiver.decode;

import static io.github.otelkernel.receiver.decode.RecordLayout.*;
import static io.github.otelkernel.receiver.probe.MapLayout.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.otelkernel.receiver.probe.Btf;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The wire contract, held to the object the agent loads: every offset and size the decoder
 * (RecordLayout) and the map writers (MapLayout) use is compared with the BTF clang wrote into
 * bpf/ksec.bpf.o, so that a field moved in events.h or lib/policy.h without its Java mirror fails
 * here, by name, instead of decoding garbage on a live kernel. The object is read as a file: no
 * kernel, no root, no bpftool.
 */
class WireLayoutTest {
  private static final String OBJECT = "bpf/ksec.bpf.o"; // the resource Agent loads
  private static final int BPF_MAP_TYPE_PERCPU_ARRAY = 6;
  private static final int BPF_MAP_TYPE_LPM_TRIE = 11;
  private static Btf btf;

  @BeforeAll
  static void readObject() throws IOException {
    try (InputStream in = WireLayoutTest.class.getClassLoader().getResourceAsStream(OBJECT)) {
      assertNotNull(
          in,
          OBJECT
              + " is not on the class path: the ebpf-probes module builds it"
              + " (mvn package -pl otel-kernel-receiver -am)");
      btf = Btf.ofElf(in.readAllBytes());
    }
  }

  /** A member as the Java side reads it; offset -1: known, not read (reserved). */
  private record Member(String name, int offset, int elementSize, int count) {}

  private static Member at(String name, int offset, int size) {
    return new Member(name, offset, size, 1);
  }

  private static Member array(String name, int offset, int elementSize, int count) {
    return new Member(name, offset, elementSize, count);
  }

  private static Member unread(String name) {
    return new Member(name, -1, 0, 0);
  }

  @Test
  void recordHeader() {
    assertStruct(
        "event_header",
        HEADER_SIZE,
        at("type", H_TYPE, 2),
        at("version", H_VERSION, 2),
        at("flags", H_FLAGS, 4),
        at("boot_ns", H_BOOT_NS, 8),
        at("pid", H_PID, 4),
        at("tid", H_TID, 4),
        at("ppid", H_PPID, 4),
        at("uid", H_UID, 4),
        at("gid", H_GID, 4),
        at("euid", H_EUID, 4),
        at("egid", H_EGID, 4),
        at("loginuid", H_LOGINUID, 4),
        at("start_boot_ns", H_START_BOOT_NS, 8),
        at("cgroup_id", H_CGROUP_ID, 8),
        array("comm", H_COMM, 1, COMM_LEN),
        at("sid", H_SID, 4),
        at("pgid", H_PGID, 4),
        at("vpid", H_VPID, 4),
        at("pid_ns", H_PID_NS, 4),
        at("mnt_ns", H_MNT_NS, 4),
        array("tty", H_TTY, 1, TTY_LEN));
  }

  @Test
  void processRecords() {
    assertStruct(
        "exec_event",
        EXEC_SIZE,
        at("hdr", 0, HEADER_SIZE),
        at("exe_len", X_EXE_LEN, 2),
        at("cwd_len", X_CWD_LEN, 2),
        at("args_len", X_ARGS_LEN, 4),
        at("args_total", X_ARGS_TOTAL, 4),
        at("cgroup_len", X_CGROUP_LEN, 2),
        at("env_len", X_ENV_LEN, 2),
        at("exe_dev", X_EXE_DEV, 4),
        at("exe_ino", X_EXE_INO, 8),
        at("exe_size", X_EXE_SIZE, 8),
        at("exe_mtime_ns", X_EXE_MTIME_NS, 8));
    assertStruct(
        "fork_event",
        FORK_SIZE,
        at("hdr", 0, HEADER_SIZE),
        at("parent_tid", F_PARENT_TID, 4),
        unread("clone_flags_lo"));
    assertStruct(
        "exit_event", EXIT_SIZE, at("hdr", 0, HEADER_SIZE), at("exit_code", E_EXIT_CODE, 4));
  }

  @Test
  void systemCallRecord() {
    assertStruct(
        "sys_event",
        SYS_SIZE,
        at("hdr", 0, HEADER_SIZE),
        at("ret", S_RET, 8),
        array("args", S_ARGS, 8, SYS_ARGS),
        at("nr", S_NR, 4),
        array("str_len", S_STR_LEN, 2, SYS_STRINGS));
  }

  @Test
  void policyMaps() {
    assertStruct(
        "policy_global",
        GLOBAL_SIZE,
        at("agent_pid", GLOBAL_AGENT_PID, 4),
        at("flags", GLOBAL_FLAGS, 4),
        at("prctl_options", GLOBAL_PRCTL_OPTIONS, 8),
        at("cap_mask", GLOBAL_CAP_MASK, 8),
        at("agent_pgid", GLOBAL_AGENT_PGID, 4));
    assertStruct("exe_key", EXE_KEY_SIZE, at("dev", EXE_KEY_DEV, 8), at("ino", EXE_KEY_INO, 8));
    assertStruct(
        "path_key",
        PATH_KEY_SIZE,
        at("prefixlen", PATH_KEY_PREFIXLEN, 4),
        array("data", PATH_KEY_DATA, 1, PATH_PREFIX_MAX));
    assertStruct(
        "path_rule",
        PATH_RULE_SIZE,
        at("mentioned", PATH_RULE_MENTIONED, 8),
        at("included", PATH_RULE_INCLUDED, 8));
    assertStruct(
        "agent_object_key",
        OBJECT_KEY_SIZE,
        at("kind", OBJECT_KEY_KIND, 4),
        at("id", OBJECT_KEY_ID, 4));
    assertStruct("env_key", ENV_KEY_SIZE, array("name", 0, 1, ENV_KEY_SIZE));

    List<String> wrong = new ArrayList<>();
    checkMap(wrong, "policy_global", GLOBAL_KEY_SIZE, GLOBAL_SIZE, "policy_global", 0, 0);
    // PolicyCompiler writes every syscall event type's id as a key
    checkMap(wrong, "policy_types", TYPES_KEY_SIZE, TYPES_VALUE_SIZE, null, EventType.MAX, 0);
    checkMap(wrong, "uid_rules", UID_KEY_SIZE, RULE_VALUE_SIZE, null, 0, 0);
    checkMap(wrong, "cgroup_rules", CGROUP_KEY_SIZE, RULE_VALUE_SIZE, null, 0, 0);
    checkMap(wrong, "exe_rules", EXE_KEY_SIZE, RULE_VALUE_SIZE, null, 0, 0);
    checkMap(
        wrong, "path_rules", PATH_KEY_SIZE, PATH_RULE_SIZE, "path_rule", 0, BPF_MAP_TYPE_LPM_TRIE);
    checkMap(wrong, "udp_ports", PORT_KEY_SIZE, MARK_SIZE, null, 0, 0);
    checkMap(wrong, "agent_threads", THREAD_KEY_SIZE, MARK_SIZE, null, 0, 0);
    checkMap(wrong, "agent_objects", OBJECT_KEY_SIZE, MARK_SIZE, null, 0, 0);
    // PolicyCompiler refuses a policy listing more names than ENV_NAMES_MAX
    checkMap(wrong, "env_names", ENV_KEY_SIZE, MARK_SIZE, null, ENV_NAMES_MAX, 0);
    report("the policy maps", wrong);
    // the structs checked above are the keys these maps declare
    assertEquals("exe_key", btf.map("exe_rules").orElseThrow().keyType());
    assertEquals("path_key", btf.map("path_rules").orElseThrow().keyType());
    assertEquals("agent_object_key", btf.map("agent_objects").orElseThrow().keyType());
    assertEquals("env_key", btf.map("env_names").orElseThrow().keyType());
  }

  @Test
  void countersAndFallbackMap() {
    List<String> wrong = new ArrayList<>();
    for (String counters :
        List.of("ringbuf_drops", "stash_fails")) { // summed over CPUs, one slot per event type
      checkMap(
          wrong,
          counters,
          COUNTER_KEY.byteSize(),
          COUNTER_VALUE.byteSize(),
          null,
          RecordDecoder.EVENT_TYPES,
          BPF_MAP_TYPE_PERCPU_ARRAY);
    }
    checkMap(
        wrong,
        "fallback_syscalls",
        FALLBACK_KEY.byteSize(),
        FALLBACK_VALUE.byteSize(),
        null,
        FALLBACK_ENTRIES,
        0);
    report("the counter and fallback maps", wrong);
  }

  @Test
  void aMovedFieldFailsByName() {
    var e =
        assertThrows(
            AssertionError.class,
            () ->
                assertStruct(
                    "exec_event",
                    EXEC_SIZE,
                    at("hdr", 0, HEADER_SIZE),
                    at("exe_len", X_EXE_LEN, 2),
                    at("cwd_len", X_CWD_LEN, 2),
                    at("args_len", X_ARGS_LEN, 4),
                    at("args_total", X_ARGS_TOTAL, 4),
                    at("cgroup_len", X_CGROUP_LEN, 2),
                    at("exe_dev", X_EXE_DEV, 4),
                    at("exe_ino", X_EXE_INO + 8, 8),
                    at("exe_size", X_EXE_SIZE, 8)));
    assertTrue(
        e.getMessage()
            .contains(
                "exec_event.exe_ino: offset "
                    + X_EXE_INO
                    + " in the object, "
                    + (X_EXE_INO + 8)
                    + " in the Java mirror"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("exec_event.exe_mtime_ns: in the object, not in the Java mirror"),
        e.getMessage());
  }

  /** Fails naming every member whose offset or size differs, and every member only one side has. */
  private static void assertStruct(String name, int size, Member... members) {
    Btf.Struct s =
        btf.struct(name)
            .orElseThrow(
                () ->
                    new AssertionError(
                        "struct "
                            + name
                            + " is not in the BTF of "
                            + OBJECT
                            + ": a type used only through a cast is left out, anchor it in ksec.bpf.c"));
    List<String> wrong = new ArrayList<>();
    if (s.size() != size) {
      wrong.add(name + ": " + s.size() + " bytes in the object, " + size + " in the Java mirror");
    }
    Map<String, Member> expected = new LinkedHashMap<>();
    for (Member m : members) {
      expected.put(m.name(), m);
    }
    for (Btf.Field f : s.fields()) {
      Member m = expected.remove(f.name());
      if (m == null) {
        if (!f.name().startsWith("_pad")) {
          wrong.add(name + "." + f.name() + ": in the object, not in the Java mirror");
        }
      } else if (m.offset() >= 0) {
        if (f.offset() != m.offset()) {
          wrong.add(
              name
                  + "."
                  + f.name()
                  + ": offset "
                  + f.offset()
                  + " in the object, "
                  + m.offset()
                  + " in the Java mirror");
        }
        if (f.elementSize() != m.elementSize() || f.count() != m.count()) {
          wrong.add(
              name
                  + "."
                  + f.name()
                  + ": "
                  + size(f.elementSize(), f.count())
                  + " in the object, "
                  + size(m.elementSize(), m.count())
                  + " in the Java mirror");
        }
      }
    }
    expected
        .keySet()
        .forEach(m -> wrong.add(name + "." + m + ": in the Java mirror, not in the object"));
    report("struct " + name, wrong);
  }

  /** valueType, maxEntries and mapType are checked when given (non-null, non-zero). */
  private static void checkMap(
      List<String> wrong,
      String name,
      long keySize,
      long valueSize,
      String valueType,
      int maxEntries,
      int mapType) {
    var found = btf.map(name);
    if (found.isEmpty()) {
      wrong.add("map " + name + ": not in the object");
      return;
    }
    Btf.MapDef m = found.get();
    if (m.keySize() != keySize) {
      wrong.add(
          "map "
              + name
              + ": key of "
              + m.keySize()
              + " bytes in the object, "
              + keySize
              + " in the Java mirror");
    }
    if (m.valueSize() != valueSize) {
      wrong.add(
          "map "
              + name
              + ": value of "
              + m.valueSize()
              + " bytes in the object, "
              + valueSize
              + " in the Java mirror");
    }
    if (valueType != null && !m.valueType().equals(valueType)) {
      wrong.add(
          "map "
              + name
              + ": value is "
              + m.valueType()
              + " in the object, "
              + valueType
              + " in the Java mirror");
    }
    if (maxEntries != 0 && m.maxEntries() != maxEntries) {
      wrong.add(
          "map "
              + name
              + ": "
              + m.maxEntries()
              + " entries in the object, "
              + maxEntries
              + " in the Java mirror");
    }
    if (mapType != 0 && m.type() != mapType) {
      wrong.add(
          "map "
              + name
              + ": of type "
              + m.type()
              + " in the object, "
              + mapType
              + " expected by the Java side");
    }
  }

  private static String size(int elementSize, int count) {
    return count == 1 ? elementSize + " bytes" : count + " x " + elementSize + " bytes";
  }

  private static void report(String what, List<String> wrong) {
    if (!wrong.isEmpty()) {
      fail(
          what
              + " (ebpf-probes/src) and its Java mirror disagree; fix the mirror and bump RECORD_VERSION"
              + " if a record changed:\n  "
              + String.join("\n  ", wrong));
    }
  }
}
