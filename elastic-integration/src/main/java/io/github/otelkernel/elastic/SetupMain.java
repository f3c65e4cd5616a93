package io.github.otelkernel.elastic;

import picocli.CommandLine;

/**
 * The entry point of {@code otel-kernel-setup.jar}, which {@code bin/otel-kernel-receiver setup}
 * runs: setup is a process of its own, so the agent that runs as root on every host carries no
 * Elasticsearch client. It keeps the agent CLI's conventions: one-line errors, never a stack trace,
 * 2 for usage, 1 for the rest.
 */
public final class SetupMain {
  private SetupMain() {}

  public static void main(String[] args) {
    int code;
    try {
      code = commandLine().execute(args);
    } catch (Throwable t) { // never a stack trace dump for the operator
      System.err.println("error: internal failure: " + t + " (report it)");
      code = SetupException.CLUSTER;
    }
    System.exit(code);
  }

  /** The command with those conventions, for {@link #main} and for tests that run it in-process. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new SetupCommand());
    cl.setParameterExceptionHandler(
        (e, args) -> {
          e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see --help)");
          return SetupException.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          // what SetupCommand did not foresee: its message, or its class when it has none
          cmd.getErr()
              .println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
          return SetupException.CLUSTER;
        });
    return cl;
  }

  /** The jar's version, from its manifest ({@code unknown} when run from the build's classes). */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = SetupMain.class.getPackage().getImplementationVersion();
      return new String[] {"otel-kernel-receiver setup " + (version != null ? version : "unknown")};
    }
  }
}
