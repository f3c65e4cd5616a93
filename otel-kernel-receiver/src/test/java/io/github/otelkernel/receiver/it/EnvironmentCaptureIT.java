package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * policy.env_vars: the listed variables of each exec's environment, scanned in the kernel, and
 * nothing else of it. The environments are built by workloads/environments.py as an attacker would:
 * secrets beside the listed names, padding to push a name out of reach, long values.
 */
class EnvironmentCaptureIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  private List<ExportedLog> runWorkload(AgentProcess agent, String tag) throws Exception {
    return runWorkload(agent, dir, tag);
  }

  private List<ExportedLog> runWorkload(AgentProcess agent, Path in, String tag) throws Exception {
    Path script = in.resolve("environments.py");
    try (InputStream res = getClass().getResourceAsStream("/workloads/environments.py")) {
      Files.write(script, res.readAllBytes());
    }
    AgentProcess.run(in, "python3", script.toString(), tag);
    Thread.sleep(1000);
    assertEquals(0, agent.stop(), agent.stderrText());
    return agent.records();
  }

  private static ExportedLog exec(List<ExportedLog> records, String tag, String exeCase) {
    List<ExportedLog> found =
        records.stream()
            .filter(
                r ->
                    "process.exec".equals(r.eventName())
                        && r.args() != null
                        && r.args().equals(List.of("/bin/true", tag + "-" + exeCase)))
            .toList();
    assertEquals(1, found.size(), () -> exeCase + ": " + found);
    return found.get(0);
  }

  @Test
  void theDefaultListIsCapturedAndNothingElseOfTheEnvironmentLeavesTheKernel() throws Exception {
    String tag = "env" + System.nanoTime();
    String preload = "LD_PRELOAD=/nonexistent/libhook-" + tag + ".so";
    List<ExportedLog> records;
    try (AgentProcess agent = AgentProcess.start(dir, false)) {
      records = runWorkload(agent, tag);
    }

    ExportedLog secrets = exec(records, tag, "secrets");
    assertEquals(
        List.of(
            preload,
            "HISTFILE=/dev/null",
            "https_proxy=http://bob:[REDACTED]@proxy.example.com:3128"),
        secrets.attrList("ksec.process.env_vars"),
        "listed variables in the environment's order, the proxy password masked");
    assertTrue(
        secrets.<List<String>>attrList("ksec.policy.redacted").contains("ksec.process.env_vars"));
    for (ExportedLog r : records) {
      String all = r.toString();
      assertFalse(all.contains("hunter2"), "a masked proxy password was exported: " + r);
      assertFalse(all.contains("wJalrXUtnFEMI"), "an unlisted variable was exported: " + r);
      assertFalse(all.contains("ghp_aaaa"), "an unlisted variable was exported: " + r);
    }
    assertNull(secrets.attr("ksec.process.env_vars.truncated"));
    assertNull(secrets.attr("ksec.process.env_vars.incomplete"));

    ExportedLog none = exec(records, tag, "none");
    assertNull(none.attr("ksec.process.env_vars"), "no listed variable: no attribute");
    assertNull(none.attr("ksec.process.env_vars.incomplete"));

    // 1.2 MB of padding does not hide the variable behind it
    ExportedLog paddedLong = exec(records, tag, "padded-long");
    assertEquals(List.of(preload), paddedLong.attrList("ksec.process.env_vars"));
    assertNull(paddedLong.attr("ksec.process.env_vars.incomplete"));

    // 5,000 short variables do: the probe stops at its bound, and the record says so
    ExportedLog paddedMany = exec(records, tag, "padded-many");
    assertEquals(List.of("HISTFILE=/dev/null"), paddedMany.attrList("ksec.process.env_vars"));
    assertEquals(true, paddedMany.attr("ksec.process.env_vars.incomplete"));

    ExportedLog longValue = exec(records, tag, "long-value");
    List<String> kept = longValue.attrList("ksec.process.env_vars");
    assertEquals(1, kept.size());
    assertEquals(1023, kept.get(0).length(), "a variable is kept up to 1,023 bytes");
    assertTrue(kept.get(0).startsWith("LD_LIBRARY_PATH=/lib/lib"));
    assertEquals(true, longValue.attr("ksec.process.env_vars.truncated"));
  }

  @Test
  void theOperatorsListReplacesTheDefaultAndAnEmptyOneTurnsTheScanOff() throws Exception {
    String tag = "envlist" + System.nanoTime();
    List<ExportedLog> records;
    try (AgentProcess agent = AgentProcess.startWithPolicy(dir, "env_vars: [HISTFILE, HOME]")) {
      records = runWorkload(agent, tag);
    }
    assertEquals(
        List.of("HISTFILE=/dev/null"),
        exec(records, tag, "secrets").attrList("ksec.process.env_vars"),
        "LD_PRELOAD is no longer listed");
    assertEquals(
        List.of("HOME=/root"), exec(records, tag, "none").attrList("ksec.process.env_vars"));

    Files.createDirectories(dir.resolve("off"));
    Path off = dir.resolve("off");
    String tag2 = tag + "off";
    try (AgentProcess agent = AgentProcess.startWithPolicy(off, "env_vars: []")) {
      records = runWorkload(agent, off, tag2);
    }
    ExportedLog secrets = exec(records, tag2, "secrets");
    assertNull(secrets.attr("ksec.process.env_vars"));
    assertNull(secrets.attr("ksec.process.env_vars.incomplete"));
  }
}
