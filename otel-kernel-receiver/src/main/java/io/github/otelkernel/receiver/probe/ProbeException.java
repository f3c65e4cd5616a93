package io.github.otelkernel.receiver.probe;

/**
 * The agent cannot load or run its probes. The message is meant for the operator as is: one line
 * that names the problem and the fix.
 */
public final class ProbeException extends RuntimeException {
  public ProbeException(String message) {
    super(message);
  }
}
