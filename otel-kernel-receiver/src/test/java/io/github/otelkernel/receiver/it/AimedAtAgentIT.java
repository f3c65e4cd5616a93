package io.github.otelkernel.receiver.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Actions aimed at the agent from a process the policy ignores: signals to one of its threads
 * (tgkill, tkill), with a forged siginfo (rt_sigqueueinfo), to its process group, ptrace reads of a
 * thread, opens of its /proc entries and pidfd_getfd. Each is exported, marked as aimed at the
 * agent, whatever the sender's rules say.
 */
class AimedAtAgentIT {
  @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
  Path dir;

  /** x86_64 and aarch64 system call numbers, so that the test need not compile anything. */
  static final String SCRIPT =
      """
      import ctypes, os, struct, sys
      arch = os.uname().machine
      nr = {"x86_64": {"tgkill": 234, "tkill": 200, "rt_sigqueueinfo": 129, "ptrace": 101, "kill": 62},
            "aarch64": {"tgkill": 131, "tkill": 130, "rt_sigqueueinfo": 138, "ptrace": 117, "kill": 129}}[arch]
      libc = ctypes.CDLL(None, use_errno=True)
      agent, tid, pgid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
      SIGCONT = 18
      libc.syscall(nr["tgkill"], agent, tid, SIGCONT)
      libc.syscall(nr["tkill"], tid, SIGCONT)  # names the thread only: the kernel's agent_threads knows it
      info = ctypes.create_string_buffer(128)
      struct.pack_into("iii", info, 0, SIGCONT, 0, -1)  # si_code SI_QUEUE
      libc.syscall(nr["rt_sigqueueinfo"], agent, SIGCONT, info)
      libc.syscall(nr["kill"], -pgid, SIGCONT)
      libc.syscall(nr["ptrace"], 2, tid, 0, 0)  # PTRACE_PEEKDATA of an agent thread
      """;

  @Test
  void signalsAndPtraceAimedAtTheAgentAreReportedFromAnIgnoredSender() throws Exception {
    String receiver = "\n    policy: {ignore: {uids: [65534]}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      long pid = agent.pid();
      int thread = otherThread(pid);
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      int pgid = Integer.parseInt(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2]);
      Path script = Files.writeString(dir.resolve("aim.py"), SCRIPT);
      script.toFile().setReadable(true, false);
      dir.toFile().setExecutable(true, false);
      // the system's interpreter: a per-user one (pyenv under /root) is not nobody's to run
      String python =
          Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
      AgentProcess.run(
          Path.of("/"),
          "setpriv",
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          python,
          script.toString(),
          Long.toString(pid),
          Integer.toString(thread),
          Integer.toString(pgid));
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> aimed =
          agent.records().stream()
              .filter(
                  r ->
                      Boolean.TRUE.equals(r.attr("ksec.target.process.is_agent"))
                          && Long.valueOf(65534).equals(r.attr("process.user.id")))
              .toList();
      assertTrue(
          aimed.stream()
              .anyMatch(
                  r ->
                      "tgkill".equals(r.attr("ksec.syscall.name"))
                          && Long.valueOf(thread).equals(r.attr("ksec.target.thread.id"))),
          "tgkill of an agent thread: " + aimed);
      assertTrue(
          aimed.stream().anyMatch(r -> "tkill".equals(r.attr("ksec.syscall.name"))),
          "tkill of an agent thread: " + aimed);
      assertTrue(
          aimed.stream().anyMatch(r -> "rt_sigqueueinfo".equals(r.attr("ksec.syscall.name"))),
          "rt_sigqueueinfo: " + aimed);
      assertTrue(
          aimed.stream().anyMatch(r -> "kill".equals(r.attr("ksec.syscall.name"))),
          "kill of the agent's process group: " + aimed);
      assertTrue(
          aimed.stream().anyMatch(r -> "PTRACE_PEEKDATA".equals(r.attr("ksec.ptrace.request"))),
          "a ptrace read of an agent thread: " + aimed);
      // and the sender stays ignored for everything else
      assertTrue(
          agent.records().stream()
              .noneMatch(
                  r ->
                      Long.valueOf(65534).equals(r.attr("process.user.id"))
                          && !Boolean.TRUE.equals(r.attr("ksec.target.process.is_agent"))
                          && r.eventName() != null
                          && !r.eventName().startsWith("process.")),
          "nobody's other system calls are filtered");
    }
  }

  /**
   * Opens of the agent's own /proc entries and a copy of one of its descriptors, from an ignored
   * root process.
   */
  static final String PROC_SCRIPT =
      """
      import ctypes, os, sys
      libc = ctypes.CDLL(None, use_errno=True)
      agent, tid = sys.argv[1], sys.argv[2]
      for name in ("environ", "maps", "stat"):
          os.close(os.open("/proc/%s/%s" % (agent, name), os.O_RDONLY))
      os.close(os.open("/proc/%s/task/%s/mem" % (agent, tid), os.O_RDONLY))
      os.listdir("/proc/%s/fd" % agent)
      path = "/proc/%s/oom_score_adj" % agent
      value = open(path).read()
      with open(path, "w") as f:
          f.write(value)
      pidfd = os.pidfd_open(int(agent))
      fd = libc.syscall(438, pidfd, 1, 0)  # pidfd_getfd of its stdout: 438 on x86_64 and aarch64
      if fd < 0:
          sys.exit("pidfd_getfd: errno %d" % ctypes.get_errno())
      """;

  @Test
  void procEntriesAndDescriptorsOfTheAgentAreReportedFromAnIgnoredProcess() throws Exception {
    String receiver = "\n    policy: {ignore: {uids: [0]}}";
    try (AgentProcess agent =
        AgentProcess.startWith(
            dir, receiver, "", "", List.of(), List.of(), "batch: {timeout: 100ms}")) {
      long pid = agent.pid();
      int thread = otherThread(pid);
      Path script = Files.writeString(dir.resolve("proc.py"), PROC_SCRIPT);
      String python =
          Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
      AgentProcess.run(
          Path.of("/"), python, script.toString(), Long.toString(pid), Integer.toString(thread));
      Thread.sleep(1_000);
      assertEquals(0, agent.stop(), agent.stderrText());
      List<ExportedLog> aimed =
          agent.records().stream()
              .filter(r -> Boolean.TRUE.equals(r.attr("ksec.target.process.is_agent")))
              .toList();
      String proc = "/proc/" + pid + "/";
      for (String entry :
          List.of("environ", "maps", "task/" + thread + "/mem", "fd", "oom_score_adj")) {
        assertTrue(
            aimed.stream()
                .anyMatch(
                    r ->
                        "file.open".equals(r.eventName())
                            && (proc + entry).equals(r.attr("file.path"))),
            "an open of " + proc + entry + ": " + aimed);
      }
      assertTrue(
          aimed.stream()
              .anyMatch(
                  r ->
                      "file.open".equals(r.eventName())
                          && (proc + "oom_score_adj").equals(r.attr("file.path"))
                          && String.valueOf(r.attr("ksec.file.open.flag_names"))
                              .contains("O_WRONLY")),
          "the write open: " + aimed);
      assertTrue(
          aimed.stream()
              .anyMatch(
                  r ->
                      "process.pidfd_getfd".equals(r.eventName())
                          && Long.valueOf(pid).equals(r.attr("ksec.target.process.pid"))
                          && Long.valueOf(1).equals(r.attr("ksec.pidfd_getfd.target_fd"))),
          "pidfd_getfd: " + aimed);
      // what every ps reads stays the policy's: root is ignored here
      assertTrue(
          agent.records().stream().noneMatch(r -> (proc + "stat").equals(r.attr("file.path"))),
          "/proc/<agent>/stat is left to the policy");
    }
  }

  /** One of the agent's threads other than its main one. */
  static int otherThread(long pid) throws java.io.IOException {
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return tasks
          .map(p -> Integer.parseInt(p.getFileName().toString()))
          .filter(t -> t != pid)
          .findFirst()
          .orElseThrow();
    }
  }
}
