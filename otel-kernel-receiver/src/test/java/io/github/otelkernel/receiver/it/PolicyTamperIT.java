package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone with CAP_BPF rewrites the agent's policy maps by id, as `bpftool map update` does: every
 * event type switched off. The agent notices within its check interval, writes the policy back,
 * says so in its log and in agent.health, and sees again.
 */
class PolicyTamperIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS) Path dir;

  @Test
  void policyMapsRewrittenByAnotherProcessAreRestoredAndReported() throws Exception {
    Path watched = Files.createDirectories(dir.resolve("watched"));
    String receiver = "\n    health_interval: 1s\n    policy: {events: {file.open: {include: [\"" + watched + "/\"]}}}";
    try (AgentProcess agent = AgentProcess.startWith(dir, receiver, "", "", List.of(), List.of(),
        "batch: {timeout: 100ms}")) {
      int mapId = agentMapId(agent.pid(), "policy_types");
      JsonNode info = bpftoolJson("map", "show", "id", Integer.toString(mapId));
      int entries = info.get("max_entries").asInt();
      // every event type off: the sensor would be blind from here on
      for (int type = 0; type < entries; type++) {
        Process p = new ProcessBuilder("bpftool", "map", "update", "id", Integer.toString(mapId),
            "key", Integer.toString(type & 0xff), Integer.toString(type >> 8), "0", "0", "value", "0", "0", "0", "0")
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "bpftool map update: " + out);
      }
      Thread.sleep(5_000); // more than the agent's check interval
      Path after = watched.resolve("after-tamper");
      Files.writeString(after, "seen again");
      Thread.sleep(1_500);
      assertEquals(0, agent.stop(), agent.stderrText());
      assertTrue(agent.stderrText().contains("policy maps changed by another process"), agent.stderrText());
      List<ExportedLog> records = agent.records();
      assertTrue(records.stream().anyMatch(r -> "file.open".equals(r.eventName())
          && after.toString().equals(r.attr("file.path"))), "the write after the tampering was exported");
      long restored = records.stream().filter(r -> "agent.health".equals(r.eventName())
          && r.attr("ksec.agent.policy.restored") != null)
          .mapToLong(r -> r.longAttr("ksec.agent.policy.restored")).max().orElse(0);
      assertTrue(restored >= 10, "agent.health says how many entries were restored: " + restored);
    }
  }

  /** The id of one of the agent's BPF maps, from the descriptors it holds (fdinfo names the map id). */
  static int agentMapId(long pid, String name) throws Exception {
    List<Integer> ids = new ArrayList<>();
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          if (!Files.readSymbolicLink(fd).toString().equals("anon_inode:bpf-map")) {
            continue;
          }
          for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd.getFileName()))) {
            if (line.startsWith("map_id:")) {
              ids.add(Integer.parseInt(line.substring(7).strip()));
            }
          }
        } catch (java.io.IOException e) {
          // closed meanwhile
        }
      }
    }
    for (int id : ids) {
      if (name.equals(bpftoolJson("map", "show", "id", Integer.toString(id)).path("name").asText())) {
        return id;
      }
    }
    throw new AssertionError("the agent holds no map named " + name + " (maps " + ids + ")");
  }

  static JsonNode bpftoolJson(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bpftool", "-j"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return new ObjectMapper().readTree(out);
  }
}
