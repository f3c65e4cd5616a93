package io.github.otelkernel.receiver.decode;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Bytes that came from a process (argv, paths, comm): attacker-controlled, not necessarily UTF-8.
 * {@link #text()} is always valid UTF-8 (invalid sequences become U+FFFD); {@link #bytes()} keeps
 * the original so nothing is lost when the text is lossy.
 */
public record RawBytes(byte[] bytes) {
  public static final RawBytes EMPTY = new RawBytes(new byte[0]);

  public String text() {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** True when the bytes are not valid UTF-8, so {@link #text()} lost information. */
  public boolean lossy() {
    for (byte b : bytes) {
      if (b < 0) { // only non-ASCII input can be invalid
        try {
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes));
          return false;
        } catch (CharacterCodingException e) {
          return true;
        }
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RawBytes r && Arrays.equals(bytes, r.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return text();
  }
}
