package io.github.otelkernel.receiver.config;

/** An invalid configuration. The message is one line: where (file:line, key) and what to do. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }
}
