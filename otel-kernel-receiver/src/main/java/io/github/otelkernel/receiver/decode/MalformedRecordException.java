package io.github.otelkernel.receiver.decode;

/** A ring-buffer record that does not match the layout; counted, never fatal. */
public final class MalformedRecordException extends RuntimeException {
  public MalformedRecordException(String message) {
    super(message);
  }
}
