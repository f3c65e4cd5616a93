package io.github.otelkernel.elastic;

/** A failure setup explains in one line; the exit code says whose it is. */
public final class SetupException extends Exception {
  /** The cluster refused, could not be reached, or lacks something setup cannot do without. */
  public static final int CLUSTER = 1;

  /** The command line is wrong. */
  public static final int USAGE = 2;

  private final int exitCode;

  private SetupException(String message, int exitCode) {
    super(message, null, false, false); // no stack trace: the message is all an operator gets
    this.exitCode = exitCode;
  }

  static SetupException cluster(String message) {
    return new SetupException(message, CLUSTER);
  }

  static SetupException usage(String message) {
    return new SetupException(message, USAGE);
  }

  public int exitCode() {
    return exitCode;
  }
}
