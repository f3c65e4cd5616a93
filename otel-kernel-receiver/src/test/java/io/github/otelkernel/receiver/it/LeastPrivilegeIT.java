package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent as the launcher runs it, as root: only the capabilities it uses, no_new_privs, and no
 * JVM attach. And it still sees, and hashes, what processes do.
 */
class LeastPrivilegeIT {
  /**
   * CAP_DAC_READ_SEARCH (2), CAP_SYS_PTRACE (19), CAP_PERFMON (38), CAP_BPF (39): docs/security.md.
   */
  static final long DOCUMENTED_CAPABILITIES = (1L << 2) | (1L << 19) | (1L << 38) | (1L << 39);

  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void theLauncherStartsTheAgentWithTheDocumentedCapabilitiesOnly() throws Exception {
    int health = AgentProcess.freePort();
    Path out = dir.resolve("events.jsonl");
    Path cfg =
        Files.writeString(
            dir.resolve("agent.yaml"),
            """
        receivers: {ebpf: {state_directory: %s}}
        processors: {batch: {timeout: 100ms}}
        exporters: {file: {path: %s}}
        extensions: {health_check: {endpoint: "127.0.0.1:%d"}}
        service:
          extensions: [health_check]
          pipelines: {logs: {receivers: [ebpf], processors: [batch], exporters: [file]}}
        """
                .formatted(dir.resolve("state"), out, health));
    Process agent =
        new ProcessBuilder(
                Path.of("../bin/otel-kernel-receiver").toAbsolutePath().toString(),
                "--config",
                cfg.toString())
            .redirectOutput(dir.resolve("agent.stdout").toFile())
            .redirectError(dir.resolve("agent.stderr").toFile())
            .start();
    try {
      AgentProcess.awaitHealthy(agent, health, dir.resolve("agent.stderr"));
      // the launcher exec'd setpriv, which exec'd the JVM: the same process
      List<String> status = Files.readAllLines(Path.of("/proc/" + agent.pid() + "/status"));
      assertEquals(DOCUMENTED_CAPABILITIES, field(status, "CapEff:"), status.toString());
      assertEquals(DOCUMENTED_CAPABILITIES, field(status, "CapPrm:"));
      assertEquals(DOCUMENTED_CAPABILITIES, field(status, "CapBnd:"), "none can be regained");
      assertEquals(0, field(status, "CapInh:"));
      assertEquals(0, field(status, "CapAmb:"));
      assertEquals(1, field(status, "NoNewPrivs:"));

      Path jcmd = Path.of(AgentProcess.javaBinary()).resolveSibling("jcmd");
      Process attach =
          new ProcessBuilder(jcmd.toString(), Long.toString(agent.pid()), "VM.version")
              .redirectErrorStream(true)
              .start();
      String attachOut = new String(attach.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(attach.waitFor(60, TimeUnit.SECONDS));
      assertNotEquals(0, attach.exitValue(), "no attach into the agent: " + attachOut);

      // with these capabilities it still sees a process of another user, and hashes its program
      String tag = "leastpriv-" + System.nanoTime();
      Path prog = dir.resolve("prog");
      Files.copy(Path.of("/bin/true"), prog);
      // nobody's, execute-only: root reads it only with CAP_DAC_READ_SEARCH, and nobody's
      // /proc/PID/exe
      // only with CAP_SYS_PTRACE
      Files.setAttribute(prog, "unix:uid", 65534);
      Files.setPosixFilePermissions(
          prog, java.nio.file.attribute.PosixFilePermissions.fromString("--x--x--x"));
      Files.setPosixFilePermissions(
          dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
      AgentProcess.run(
          dir, "setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", prog.toString(), tag);
      Thread.sleep(2_000);
      agent.destroy();
      assertTrue(agent.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, agent.exitValue(), Files.readString(dir.resolve("agent.stderr")));
      List<ExportedLog> records = ExportedLog.readOtlpJsonLines(out);
      ExportedLog exec =
          records.stream()
              .filter(
                  r ->
                      "process.exec".equals(r.eventName())
                          && r.args() != null
                          && r.args().contains(tag))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the exec was exported"));
      Object hash = ExportedLog.executableHash(records, exec).orElse(null);
      assertTrue(hash != null, "the execute-only program of another user was hashed: " + exec);
    } finally {
      agent.destroyForcibly();
    }
  }

  private static long field(List<String> status, String name) {
    String line = status.stream().filter(l -> l.startsWith(name)).findFirst().orElseThrow();
    String v = line.substring(name.length()).strip();
    return name.startsWith("Cap") ? Long.parseUnsignedLong(v, 16) : Long.parseLong(v);
  }
}
