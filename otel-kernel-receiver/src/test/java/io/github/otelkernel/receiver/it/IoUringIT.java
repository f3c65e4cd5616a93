package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations that go through io_uring only, never through their system calls
 * (src/test/c/uring_ops.c, raw io_uring_setup and io_uring_enter): an IORING_OP_OPENAT that creates
 * a new file under /etc, an IORING_OP_UNLINKAT of it, a refused IORING_OP_CONNECT, and an
 * IORING_OP_OPENAT submitted by a SQPOLL ring's kernel thread. Each must be exported as
 * io_uring.submit with its path or address, opcode and outcome, and both rings' io_uring.setup with
 * their flags.
 */
class IoUringIT {
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void operationsSubmittedThroughARingAreExported() throws Exception {
    Path prog = dir.resolve("uring_ops");
    Process cc =
        new ProcessBuilder("cc", "-O1", "-Wall", "-o", prog.toString(), "src/test/c/uring_ops.c")
            .redirectErrorStream(true)
            .start();
    String ccOut = new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, cc.waitFor(), "building uring_ops: " + ccOut);

    String tag = "ksec-uring-" + System.nanoTime();
    Path etcFile = Path.of("/etc", tag);
    Path sqpollFile = dir.resolve(tag + "-sqpoll");
    int refused = AgentProcess.freePort();
    List<ExportedLog> records;
    String out;
    long pid;
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      try {
        Process p =
            new ProcessBuilder(
                    prog.toString(),
                    etcFile.toString(),
                    sqpollFile.toString(),
                    Integer.toString(refused))
                .redirectErrorStream(true)
                .start();
        pid = p.pid();
        out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
      } finally {
        Files.deleteIfExists(etcFile);
        Files.deleteIfExists(sqpollFile);
      }
      Thread.sleep(1500);
      assertEquals(0, agent.stop(), agent.stderrText());
      records = agent.records();
    }
    assertTrue(out.contains("openat=") && !out.contains("openat=-"), out);
    assertTrue(out.contains("unlinkat=0"), out);
    assertTrue(out.contains("connect=-111"), out);
    assertTrue(out.contains("sqpoll_openat=") && !out.contains("sqpoll_openat=-"), out);

    List<ExportedLog> mine =
        records.stream()
            .filter(r -> r.attr("process.pid") != null && r.longAttr("process.pid") == pid)
            .toList();
    List<ExportedLog> setups =
        mine.stream().filter(r -> r.eventName().equals("io_uring.setup")).toList();
    assertEquals(2, setups.size(), "both rings' setup: " + mine);
    assertEquals(0L, setups.get(0).longAttr("ksec.io_uring.setup.flags"), setups.get(0).toString());
    assertEquals(8L, setups.get(0).longAttr("ksec.io_uring.setup.entries"));
    assertEquals("success", setups.get(0).stringAttr("ksec.event.outcome"));
    assertEquals("io_uring_setup", setups.get(0).stringAttr("ksec.syscall.name"));
    assertEquals(2L, setups.get(1).longAttr("ksec.io_uring.setup.flags"), setups.get(1).toString());
    assertEquals(
        List.of("IORING_SETUP_SQPOLL"), setups.get(1).attrList("ksec.io_uring.setup.flag_names"));
    assertEquals(2000L, setups.get(1).longAttr("ksec.io_uring.setup.sq_thread_idle"));

    List<ExportedLog> submits =
        mine.stream().filter(r -> r.eventName().equals("io_uring.submit")).toList();
    ExportedLog open = only(submits, "IORING_OP_OPENAT", etcFile.toString());
    assertEquals("success", open.stringAttr("ksec.event.outcome"), open.toString());
    assertTrue(open.longAttr("ksec.io_uring.result") >= 0, open.toString());
    assertEquals(-100L, open.longAttr("ksec.io_uring.fd"));
    assertTrue(
        open.<List<String>>attrList("ksec.file.open.flag_names").contains("O_CREAT"),
        open.toString());
    assertEquals("0600", open.stringAttr("file.mode"));
    assertEquals("io_uring", open.stringAttr("ksec.event.category"));
    assertEquals(null, open.attr("ksec.syscall.name"), "no system call did it: " + open);
    assertEquals(null, open.attr("ksec.io_uring.sq_thread"));
    assertTrue(open.body().contains("IORING_OP_OPENAT of " + etcFile), open.body());

    ExportedLog unlink = only(submits, "IORING_OP_UNLINKAT", etcFile.toString());
    assertEquals("success", unlink.stringAttr("ksec.event.outcome"), unlink.toString());

    List<ExportedLog> connects =
        submits.stream()
            .filter(r -> "IORING_OP_CONNECT".equals(r.attr("ksec.io_uring.operation")))
            .toList();
    assertEquals(1, connects.size(), submits.toString());
    ExportedLog connect = connects.get(0);
    assertEquals("127.0.0.1", connect.stringAttr("destination.address"));
    assertEquals((long) refused, connect.longAttr("destination.port"));
    assertEquals("failure", connect.stringAttr("ksec.event.outcome"));
    assertEquals("ECONNREFUSED", connect.stringAttr("error.type"));

    // the SQPOLL thread submitted it: the record names the ring owner's process and comm
    ExportedLog sq = only(submits, "IORING_OP_OPENAT", sqpollFile.toString());
    assertEquals(true, sq.attr("ksec.io_uring.sq_thread"), sq.toString());
    assertEquals("uring_ops", sq.stringAttr("ksec.process.comm"));
    assertEquals("success", sq.stringAttr("ksec.event.outcome"));
    assertFalse(sq.longAttr("thread.id") == pid, "the kernel thread's own tid: " + sq);

    // nothing of this went through the openat/unlinkat system calls the file probes watch
    assertTrue(
        mine.stream()
            .noneMatch(
                r ->
                    r.eventName().equals("file.open")
                        && etcFile.toString().equals(r.attr("file.path"))),
        mine.toString());
    assertEquals(List.of(), new RegistryConformance().check(mine));
  }

  private static ExportedLog only(List<ExportedLog> submits, String op, String path) {
    List<ExportedLog> m =
        submits.stream()
            .filter(
                r ->
                    op.equals(r.attr("ksec.io_uring.operation"))
                        && path.equals(r.attr("file.path")))
            .toList();
    assertEquals(1, m.size(), op + " of " + path + " in " + submits);
    return m.get(0);
  }
}
