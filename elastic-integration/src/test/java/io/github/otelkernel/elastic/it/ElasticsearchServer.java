package io.github.otelkernel.elastic.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Elasticsearch: the integ-test-zip the build unpacked into target/, run as one node on
 * loopback ports, shared by all tests of the JVM and stopped when it exits. Elasticsearch refuses
 * to run as root, so under root it runs as an unprivileged user created for it.
 */
public final class ElasticsearchServer {
  /** Password of the {@code elastic} superuser on the secured server (its bootstrap password). */
  public static final String ELASTIC_PASSWORD = "ksec-test-elastic";

  private static final String RUN_AS = "ksec-es";

  private static ElasticsearchServer open;
  private static ElasticsearchServer secured;

  public final URI url;
  final boolean security;
  private final Path dir;
  private final Process process;

  /** Security disabled: no roles, no authentication. */
  static synchronized ElasticsearchServer open() throws Exception {
    if (open == null) {
      open = start("open", false);
    }
    return open;
  }

  /**
   * Security enabled (HTTP without TLS: loopback only), basic license until a test starts a trial.
   */
  public static synchronized ElasticsearchServer secured() throws Exception {
    if (secured == null) {
      secured = start("secured", true);
    }
    return secured;
  }

  /** The superuser's view (no credentials on the open server). */
  public EsHttp http() {
    return security ? new EsHttp(url, "elastic", ELASTIC_PASSWORD) : new EsHttp(url, null, null);
  }

  EsHttp http(String user, String password) {
    return new EsHttp(url, user, password);
  }

  private ElasticsearchServer(URI url, boolean security, Path dir, Process process) {
    this.url = url;
    this.security = security;
    this.dir = dir;
    this.process = process;
  }

  private static ElasticsearchServer start(String name, boolean security) throws Exception {
    Path home = Path.of(property("elasticsearch.home"));
    Path javaHome = Path.of(property("elasticsearch.java.home"));
    if (!Files.isExecutable(home.resolve("bin/elasticsearch"))) {
      fail(
          "no Elasticsearch at "
              + home
              + ": the build unpacks it in pre-integration-test (run mvn verify)");
    }
    Path dir = Files.createDirectories(Path.of("target", "es-" + name).toAbsolutePath());
    deleteRecursively(dir);
    Path config = Files.createDirectories(dir.resolve("config"));
    try (Stream<Path> files = Files.list(home.resolve("config"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, config.resolve(f.getFileName()));
      }
    }
    Files.createDirectories(config.resolve("jvm.options.d"));
    // both servers get it, so they run the same distribution; only the security index needs it
    TestAnalysisPlugin.installInto(home, property("elasticsearch.version"));
    Map<String, String> env =
        Map.of(
            "ES_JAVA_HOME", javaHome.toString(),
            "ES_PATH_CONF", config.toString(),
            "ES_JAVA_OPTS", "-Xms512m -Xmx512m");
    if (security) {
      run(env, dir, home.resolve("bin/elasticsearch-keystore").toString(), "create");
      runWithInput(
          env,
          dir,
          ELASTIC_PASSWORD,
          home.resolve("bin/elasticsearch-keystore").toString(),
          "add",
          "--stdin",
          "bootstrap.password");
    }
    boolean root = isRoot();
    if (root) {
      ensureUser();
      run(Map.of(), dir, "chown", "-R", RUN_AS + ":", dir.toString());
    }
    int httpPort = freePort();
    List<String> command =
        new ArrayList<>(asUser(root, List.of(home.resolve("bin/elasticsearch").toString())));
    command.addAll(
        List.of(
            "-E", "discovery.type=single-node",
            "-E", "network.host=127.0.0.1",
            "-E", "http.port=" + httpPort,
            "-E", "transport.port=" + freePort(),
            "-E", "path.data=" + dir.resolve("data"),
            "-E", "path.logs=" + dir.resolve("logs"),
            "-E", "cluster.routing.allocation.disk.threshold_enabled=false",
            "-E", "xpack.security.enabled=" + security));
    if (security) {
      command.addAll(
          List.of(
              "-E", "xpack.security.http.ssl.enabled=false",
              "-E", "xpack.security.transport.ssl.enabled=false"));
    }
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("console.log").toFile());
    pb.environment().putAll(env);
    Process process = pb.start();
    ElasticsearchServer server =
        new ElasticsearchServer(URI.create("http://127.0.0.1:" + httpPort), security, dir, process);
    Runtime.getRuntime().addShutdownHook(new Thread(server::stop));
    server.awaitHealthy();
    return server;
  }

  private void awaitHealthy() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        fail("Elasticsearch exited with " + process.exitValue() + ":\n" + consoleTail());
      }
      try {
        if (http().send("GET", "/_cluster/health?wait_for_status=yellow&timeout=1s", null).status()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        // not listening yet
      }
      Thread.sleep(500);
    }
    fail("Elasticsearch not healthy after 180 s:\n" + consoleTail());
  }

  /** SIGTERM to the launcher, which stops the server process it started. */
  private void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.descendants().forEach(ProcessHandle::destroyForcibly);
          process.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  public String consoleTail() throws IOException {
    Path log = dir.resolve("console.log");
    if (!Files.exists(log)) {
      return "";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static List<String> asUser(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped =
        new ArrayList<>(
            List.of("setpriv", "--reuid=" + RUN_AS, "--regid=" + RUN_AS, "--init-groups"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static boolean isRoot() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  private static void ensureUser() throws Exception {
    if (new ProcessBuilder("id", "-u", RUN_AS).start().waitFor() != 0) {
      run(
          Map.of(),
          Path.of("."),
          "useradd",
          "--system",
          "--no-create-home",
          "--shell",
          "/usr/sbin/nologin",
          RUN_AS);
    }
  }

  private static void run(Map<String, String> env, Path dir, String... command) throws Exception {
    runWithInput(env, dir, null, command);
  }

  private static void runWithInput(
      Map<String, String> env, Path dir, String stdin, String... command) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    try (OutputStream in = p.getOutputStream()) {
      if (stdin != null) {
        in.write((stdin + "\n").getBytes(StandardCharsets.UTF_8));
      }
    }
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      fail(String.join(" ", command) + " failed:\n" + output);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String property(String name) {
    String value = System.getProperty(name, "");
    if (value.isBlank()) {
      fail("system property " + name + " is not set: run the integration tests with mvn verify");
    }
    return value;
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        if (!p.equals(dir)) {
          Files.delete(p);
        }
      }
    }
  }
}
