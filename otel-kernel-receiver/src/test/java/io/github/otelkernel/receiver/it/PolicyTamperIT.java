package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Someone with CAP_BPF rewrites the agent's policy maps by id, as `bpftool map update` does: every
 * event type switched off. Each call is exported as kernel.bpf_tamper, naming the map; the agent
 * notices within its check interval, writes the policy back, says so in its log and in
 * agent.health, and sees again.
 */
class PolicyTamperIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  @Test
  void policyMapsRewrittenByAnotherProcessAreRestoredAndReported() throws Exception {
    Path watched = Files.createDirectories(dir.resolve("watched"));
    String receiver =
        "\n    health_interval: 1s\n    policy: {events: {file.open: {include: [\""
            + watched
            + "/\"]}}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      int mapId = agentMapId(agent.pid(), "policy_types");
      JsonNode info = bpftoolJson("map", "show", "id", Integer.toString(mapId));
      int entries = info.get("max_entries").asInt();
      // every event type off: the sensor would be blind from here on
      for (int type = 0; type < entries; type++) {
        Process p =
            new ProcessBuilder(
                    "bpftool",
                    "map",
                    "update",
                    "id",
                    Integer.toString(mapId),
                    "key",
                    Integer.toString(type & 0xff),
                    Integer.toString(type >> 8),
                    "0",
                    "0",
                    "value",
                    "0",
                    "0",
                    "0",
                    "0")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "bpftool map update: " + out);
      }
      Thread.sleep(5_000); // more than the agent's check interval
      Path after = watched.resolve("after-tamper");
      Files.writeString(after, "seen again");
      Thread.sleep(1_500);
      assertEquals(0, agent.stop(), agent.stderrText());
      assertTrue(
          agent.stderrText().contains("policy maps changed by another process"),
          agent.stderrText());
      List<ExportedLog> records = agent.records();
      assertTrue(
          records.stream()
              .anyMatch(
                  r ->
                      "file.open".equals(r.eventName())
                          && after.toString().equals(r.attr("file.path"))),
          "the write after the tampering was exported");
      long restored =
          records.stream()
              .filter(
                  r ->
                      "agent.health".equals(r.eventName())
                          && r.attr("ksec.agent.policy.restored") != null)
              .mapToLong(r -> r.longAttr("ksec.agent.policy.restored"))
              .max()
              .orElse(0);
      assertTrue(restored >= 10, "agent.health says how many entries were restored: " + restored);
      assertTrue(
          records.stream()
              .filter(r -> "agent.health".equals(r.eventName()))
              .allMatch(r -> r.longAttr("ksec.agent.health.interval") == 1),
          "each agent.health names its interval");
      List<ExportedLog> tamper =
          records.stream()
              .filter(
                  r ->
                      "kernel.bpf_tamper".equals(r.eventName())
                          && r.longAttr("ksec.bpf.object.id") == mapId)
              .toList();
      for (String command : List.of("BPF_MAP_GET_FD_BY_ID", "BPF_MAP_UPDATE_ELEM")) {
        assertTrue(
            tamper.stream()
                .anyMatch(
                    r ->
                        command.equals(r.attr("ksec.bpf.command"))
                            && "map".equals(r.attr("ksec.bpf.object.type"))
                            && "policy_types".equals(r.attr("ksec.bpf.object.name"))
                            && Boolean.TRUE.equals(r.attr("ksec.target.process.is_agent"))
                            && "bpftool".equals(r.attr("ksec.process.comm"))),
            command
                + " on policy_types by bpftool is exported ("
                + tamper.size()
                + " kernel.bpf_tamper records)");
      }
      long updates =
          tamper.stream()
              .filter(r -> "BPF_MAP_UPDATE_ELEM".equals(r.attr("ksec.bpf.command")))
              .count();
      assertEquals(entries, updates, "one record per update");
    }
  }

  /**
   * `bpftool link detach` on one of the agent's links: the attempt is exported with its outcome,
   * and the link is still there afterwards (the kernel refuses to detach tracepoint links by id).
   */
  @Test
  void linkDetachByAnotherProcessIsReportedAndTheProbeStays() throws Exception {
    try (AgentProcess agent =
        AgentProcess.startWith(dir, "", "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      int linkId = agentObjectIds(agent.pid(), "anon_inode:bpf_link", "link_id:").getFirst();
      Process p =
          new ProcessBuilder("bpftool", "link", "detach", "id", Integer.toString(linkId))
              .redirectErrorStream(true)
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      int rc = p.waitFor();
      JsonNode still = bpftoolJson("link", "show", "id", Integer.toString(linkId));
      assertEquals(linkId, still.get("id").asInt(), "the link is still attached after: " + out);
      Thread.sleep(1_500);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> detach =
          agent.records().stream()
              .filter(
                  r ->
                      "kernel.bpf_tamper".equals(r.eventName())
                          && "BPF_LINK_DETACH".equals(r.attr("ksec.bpf.command")))
              .toList();
      assertEquals(1, detach.size(), "one BPF_LINK_DETACH record: " + detach);
      ExportedLog r = detach.getFirst();
      assertEquals((long) linkId, r.longAttr("ksec.bpf.object.id"));
      assertEquals("link", r.attr("ksec.bpf.object.type"));
      assertEquals(rc == 0 ? "success" : "failure", r.attr("ksec.event.outcome"), out);
      assertTrue(
          r.stringAttr("ksec.bpf.object.name").length() > 0, "a link is named after its program");
    }
  }

  static List<Integer> agentObjectIds(long pid, String link, String field) throws Exception {
    List<Integer> ids = new ArrayList<>();
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          if (!Files.readSymbolicLink(fd).toString().equals(link)) {
            continue;
          }
          for (String line :
              Files.readAllLines(Path.of("/proc/" + pid + "/fdinfo/" + fd.getFileName()))) {
            if (line.startsWith(field)) {
              ids.add(Integer.parseInt(line.substring(field.length()).strip()));
            }
          }
        } catch (java.io.IOException e) {
          // closed meanwhile
        }
      }
    }
    assertTrue(!ids.isEmpty(), "the agent holds no " + link);
    return ids;
  }

  /**
   * The id of one of the agent's BPF maps, from the descriptors it holds (fdinfo names the map id).
   */
  static int agentMapId(long pid, String name) throws Exception {
    List<Integer> ids = agentObjectIds(pid, "anon_inode:bpf-map", "map_id:");
    for (int id : ids) {
      if (name.equals(
          bpftoolJson("map", "show", "id", Integer.toString(id)).path("name").asText())) {
        return id;
      }
    }
    throw new AssertionError("the agent holds no map named " + name + " (maps " + ids + ")");
  }

  static JsonNode bpftoolJson(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("bpftool", "-j"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", cmd) + ": " + out);
    return new ObjectMapper().readTree(out);
  }
}
