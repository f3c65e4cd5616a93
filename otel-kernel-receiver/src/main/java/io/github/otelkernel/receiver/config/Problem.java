package io.github.otelkernel.receiver.config;

/**
 * One thing wrong with a configuration, under the dotted key it is about ({@code
 * exporters.otlp/a.endpoint}): the loader turns the key into a file and line, a config made in code
 * shows it as it is.
 */
public record Problem(String key, String message) {
  @Override
  public String toString() {
    return key + ": " + message;
  }
}
