package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * open_by_handle_at, the container escape of the "shocker" exploit: root takes a file's handle
 * (name_to_handle_at) and opens the file by it, and nobody, without CAP_DAC_READ_SEARCH, is
 * refused. Both are exported as file.open_by_handle, with the opened file's path on success.
 */
class OpenByHandleIT {
  /** Takes argv[1]'s handle, then opens it through argv[2]'s descriptor; prints the outcome. */
  private static final String WORKLOAD =
      """
      import ctypes, os, sys
      libc = ctypes.CDLL(None, use_errno=True)
      class Handle(ctypes.Structure):
          _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                      ("f_handle", ctypes.c_ubyte * 128)]
      h = Handle(handle_bytes=128)
      mount_id = ctypes.c_int()
      if libc.name_to_handle_at(-100, sys.argv[1].encode(), ctypes.byref(h), ctypes.byref(mount_id), 0):
          sys.exit("name_to_handle_at: errno %d" % ctypes.get_errno())
      if len(sys.argv) > 2:
          os.setgid(65534); os.setuid(65534)
      mount = os.open(os.path.dirname(sys.argv[1]), os.O_RDONLY)
      fd = libc.open_by_handle_at(mount, ctypes.byref(h), os.O_RDONLY)
      print("fd=%d errno=%d" % (fd, ctypes.get_errno() if fd < 0 else 0))
      """;

  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void openingAFileByItsHandleIsExported() throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secret = Files.writeString(dir.resolve("secret-" + System.nanoTime()), "x");
    List<ExportedLog> records;
    long asRoot;
    long asNobody;
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      asRoot = workload(secret, "fd=", false);
      asNobody = workload(secret, "errno=1", true); // EPERM: no CAP_DAC_READ_SEARCH
      Thread.sleep(1500);
      assertEquals(0, agent.stop(), agent.stderrText());
      records = agent.records();
    }
    ExportedLog ok = one(records, asRoot);
    assertEquals("success", ok.stringAttr("ksec.event.outcome"), ok.toString());
    assertEquals(secret.toString(), ok.stringAttr("file.path"), ok.toString());
    assertEquals("open_by_handle_at", ok.stringAttr("ksec.syscall.name"));
    assertEquals(List.of("O_RDONLY"), ok.<List<String>>attrList("ksec.file.open.flag_names"));
    assertEquals("file", ok.stringAttr("ksec.event.category"));
    assertTrue(ok.body().contains("opened " + secret + " by its file handle"), ok.body());

    ExportedLog refused = one(records, asNobody);
    assertEquals("failure", refused.stringAttr("ksec.event.outcome"), refused.toString());
    assertEquals("EPERM", refused.stringAttr("error.type"));
    assertEquals(null, refused.attr("file.path"), "no file was opened: " + refused);
    assertEquals(List.of(), new RegistryConformance().check(List.of(ok, refused)));
  }

  private long workload(Path file, String expect, boolean asNobody) throws Exception {
    List<String> cmd =
        asNobody
            ? List.of("python3", "-c", WORKLOAD, file.toString(), "nobody")
            : List.of("python3", "-c", WORKLOAD, file.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains(expect) && (asNobody || !out.contains("fd=-")), out);
    return p.pid();
  }

  private static ExportedLog one(List<ExportedLog> records, long pid) {
    List<ExportedLog> mine =
        records.stream()
            .filter(
                r ->
                    r.eventName().equals("file.open_by_handle")
                        && r.attr("process.pid") != null
                        && r.longAttr("process.pid") == pid)
            .toList();
    assertEquals(1, mine.size(), "one file.open_by_handle of process " + pid + ": " + mine);
    return mine.get(0);
  }
}
