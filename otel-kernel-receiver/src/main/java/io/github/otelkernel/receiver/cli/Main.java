package io.github.otelkernel.receiver.cli;

import io.github.otelkernel.receiver.config.AgentConfig;
import io.github.otelkernel.receiver.config.ConfigException;
import io.github.otelkernel.receiver.config.ConfigLoader;
import io.github.otelkernel.receiver.config.ExporterConfig;
import io.github.otelkernel.receiver.pipeline.Agent;
import io.github.otelkernel.receiver.probe.ProbeException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code otel-kernel-receiver [--config FILE]}, {@code validate}, {@code doctor}, {@code setup},
 * {@code --version}, {@code --help}.
 */
@Command(
    name = "otel-kernel-receiver",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {
      "Kernel security telemetry for OpenTelemetry: loads eBPF probes and exports process events",
      "as OpenTelemetry log records. Without --config it prints live events to the terminal.",
      "Stop it with Ctrl-C or SIGTERM: probes are detached and every captured event is flushed."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly",
      "1:cannot run here (privileges, kernel, libbpf) or failed while running",
      "2:invalid configuration or usage"
    },
    subcommands = {Main.Validate.class, Main.Doctor.class, Main.Setup.class})
public final class Main implements java.util.concurrent.Callable<Integer> {
  static final int EXIT_RUNTIME = 1;
  static final int EXIT_CONFIG = 2;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Collector-style YAML config (default: built-in, console output)")
  Path config;

  @Option(names = "--debug", description = "Verbose log with libbpf messages and stack traces")
  boolean debug;

  /** Longest a clean stop may take before the agent gives up on flushing and exits. */
  static final long STOP_TIMEOUT_SECONDS = 120;

  public static void main(String[] args) {
    int code;
    try {
      code = run(args);
    } catch (Throwable t) { // never a stack trace dump for the operator
      System.err.println("error: internal failure: " + t + " (run with --debug and report it)");
      code = EXIT_RUNTIME;
    }
    System.exit(code);
  }

  static int run(String[] args) {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          printError(e.getMessage());
          return EXIT_RUNTIME;
        });
    cl.setParameterExceptionHandler(
        (e, a) -> {
          System.err.println("error: " + e.getMessage() + " (see --help)");
          return EXIT_CONFIG;
        });
    return cl.execute(args);
  }

  @Override
  public Integer call() {
    setUpLogging(debug);
    Logger log = Logger.getLogger("agent");
    AgentConfig cfg;
    try {
      cfg = config == null ? new ConfigLoader().loadDefault() : new ConfigLoader().load(config);
    } catch (ConfigException e) {
      printError(e.getMessage());
      return EXIT_CONFIG;
    }
    CountDownLatch stop = new CountDownLatch(1);
    // Signals are handled here rather than in a shutdown hook: hooks run concurrently with the
    // JDK's own (which close the log), and the flush must finish before the process exits.
    for (String name : new String[] {"INT", "TERM"}) {
      sun.misc.Signal.handle(new sun.misc.Signal(name), s -> stop.countDown());
    }
    // SIGHUP: re-read the config and apply its policy to the running probes (nothing is detached);
    // a malformed file keeps the policy in force and says why. Handled from before the start, so
    // that a HUP sent while the probes attach is acted on once they are, not taken by the JVM for
    // a shutdown
    java.util.concurrent.atomic.AtomicBoolean reload =
        new java.util.concurrent.atomic.AtomicBoolean();
    ReloadSignal.install(reload);
    PrintStream console =
        new PrintStream(
            new java.io.FileOutputStream(java.io.FileDescriptor.out),
            false,
            StandardCharsets.UTF_8);
    Agent agent;
    try {
      agent = Agent.builder(cfg).console(console).start();
    } catch (ConfigException e) {
      printError(e.getMessage());
      return EXIT_CONFIG;
    } catch (ProbeException e) {
      printError(e.getMessage());
      return EXIT_RUNTIME;
    }
    try {
      while (!stop.await(200, TimeUnit.MILLISECONDS)) {
        if (reload.getAndSet(false)) {
          try {
            AgentConfig next =
                config == null ? new ConfigLoader().loadDefault() : new ConfigLoader().load(config);
            agent.applyPolicy(next.receiver().policy());
            log.info(
                "reloaded the policy from "
                    + next.source()
                    + " (other settings take effect at the next start)");
          } catch (ConfigException | ProbeException e) {
            log.warning(
                "reload failed, the previous policy stays in force: "
                    + e.getMessage().replace("\n", "; "));
          }
        }
        if (agent.failure() != null) {
          log.severe("stopping: " + agent.failure().getMessage());
          agent.close();
          return EXIT_RUNTIME;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("stopping: detaching probes and flushing exporters");
    Thread watchdog =
        new Thread(
            () -> {
              try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(STOP_TIMEOUT_SECONDS));
                System.err.println(
                    "error: the agent did not stop within "
                        + STOP_TIMEOUT_SECONDS
                        + " s; exiting without a complete flush");
                Runtime.getRuntime().halt(EXIT_RUNTIME);
              } catch (InterruptedException e) {
                // stopped in time
              }
            },
            "stop-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    agent.close();
    watchdog.interrupt();
    return 0;
  }

  static void setUpLogging(boolean debug) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    ConsoleHandler h = new ConsoleHandler(); // stderr
    h.setFormatter(new OneLineFormatter(debug));
    h.setLevel(debug ? Level.FINE : Level.INFO);
    root.addHandler(h);
    root.setLevel(debug ? Level.FINE : Level.INFO);
    quiet("io.grpc", debug ? Level.INFO : Level.WARNING);
    quiet("io.netty", Level.WARNING);
    // the SDK logs every failed export; the sending queues report failures once per interval
    // instead, and a failed export of the agent's own metrics loses no event
    for (String name :
        new String[] {
          "io.opentelemetry.exporter.internal.grpc.GrpcExporter",
          "io.opentelemetry.exporter.internal.http.HttpExporter",
          "io.opentelemetry.sdk.metrics.export.PeriodicMetricReader"
        }) {
      quiet(name, debug ? Level.FINE : Level.OFF);
    }
  }

  /** "error: …", one line per problem (a config may have several). */
  static void printError(String message) {
    message.lines().forEach(l -> System.err.println("error: " + l));
  }

  /** JUL holds loggers weakly: a level set on one nobody references is lost, so keep them. */
  private static final java.util.List<Logger> CONFIGURED = new java.util.ArrayList<>();

  private static void quiet(String name, Level level) {
    Logger l = Logger.getLogger(name);
    l.setLevel(level);
    CONFIGURED.add(l);
  }

  @Command(
      name = "validate",
      mixinStandardHelpOptions = true,
      description =
          "Check a config file and exit: 0 when valid, 2 with one line per problem when not.")
  static final class Validate implements java.util.concurrent.Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        required = true,
        description = "the config to check")
    Path config;

    @Override
    public Integer call() {
      try {
        AgentConfig cfg = new ConfigLoader().load(config);
        Agent.builder(cfg).validate(); // what start checks before it loads anything
        System.out.println(
            config
                + ": valid (receiver ebpf; exporters "
                + String.join(", ", cfg.exporters().stream().map(ExporterConfig::id).toList())
                + ")");
        return 0;
      } catch (ConfigException e) {
        printError(e.getMessage());
        return EXIT_CONFIG;
      }
    }
  }

  @Command(
      name = "doctor",
      mixinStandardHelpOptions = true,
      description = {
        "Check this host before deploying: the kernel (BTF, lockdown, each program and map type",
        "the probes use; the probes are loaded and released, nothing is attached), privileges,",
        "the config (as validate does), each exporter's endpoint (TCP and TLS handshake with its",
        "CA) and, with --elasticsearch, that setup has been run. One line per check."
      },
      exitCodeListHeading = "%nExit codes:%n",
      exitCodeList = {
        "0:the agent would start (warnings name what would not work)",
        "1:the agent would not start (the FAIL lines say why and how to fix it)",
        "2:invalid usage"
      })
  static final class Doctor implements java.util.concurrent.Callable<Integer> {
    @Option(
        names = {"-c", "--config"},
        paramLabel = "FILE",
        description = "the config the agent will run with (default: the built-in one)")
    Path config;

    @Option(
        names = "--elasticsearch",
        paramLabel = "URL",
        description = "also check that setup has been run against this cluster")
    java.net.URI elasticsearch;

    @Option(
        names = "--api-key-file",
        paramLabel = "FILE",
        description = "its API key, first line (default: $ELASTICSEARCH_API_KEY)")
    Path apiKeyFile;

    @Option(names = "--username", paramLabel = "USER", description = "or basic authentication")
    String username;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "its password, first line (default: $ELASTICSEARCH_PASSWORD)")
    Path passwordFile;

    @Option(
        names = "--ca-file",
        paramLabel = "FILE",
        description = "PEM CA of the cluster (default: the system's trust store)")
    Path caFile;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        defaultValue = "5",
        description = "for each network check (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Option(names = "--debug", description = "Verbose log with libbpf messages")
    boolean debug;

    @Override
    public Integer call() {
      setUpLogging(debug);
      if (!debug) {
        quiet("", Level.WARNING); // the report is the output; the probes' load notes are in it
      }
      var doctor =
          new io.github.otelkernel.receiver.doctor.Doctor(
              config, java.time.Duration.ofSeconds(Math.max(1, timeoutSeconds)));
      try {
        if (elasticsearch != null) {
          doctor.elasticsearch(
              elasticsearch,
              java.util.Optional.ofNullable(apiKeyFile),
              java.util.Optional.ofNullable(username),
              java.util.Optional.ofNullable(passwordFile),
              java.util.Optional.ofNullable(caFile));
        }
        boolean wouldStart =
            io.github.otelkernel.receiver.doctor.Doctor.print(doctor.run(), System.out);
        return wouldStart ? 0 : EXIT_RUNTIME;
      } catch (ConfigException e) {
        printError(e.getMessage());
        return EXIT_CONFIG;
      }
    }
  }

  /**
   * {@code setup} is listed here but is not in this jar: it has its own (elastic-integration's
   * otel-kernel-setup.jar), which bin/otel-kernel-receiver runs for {@code setup} as the invoking
   * user, without the agent's privileges, so that the agent running as root on every host carries
   * no Elasticsearch client. Reached here (java -jar otel-kernel-receiver.jar setup …), it says
   * where setup is.
   */
  @Command(
      name = "setup",
      description = "Installs in Elasticsearch what the otel-kernel-receiver data streams need.")
  static final class Setup implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Unmatched // whatever the arguments, --help included: the answer is the same
    java.util.List<String> args;

    @Override
    public Integer call() {
      System.err.println(
          "error: setup is not in the agent's jar: run bin/otel-kernel-receiver setup …,"
              + " or java -jar otel-kernel-setup.jar … (built in elastic-integration/target)");
      return EXIT_CONFIG;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"otel-kernel-receiver " + Agent.version()};
    }
  }
}
